DROP TABLE node_metrics_default;
DROP TABLE node_metrics;
DROP TABLE vm_metrics_default;
DROP TABLE vm_metrics;
