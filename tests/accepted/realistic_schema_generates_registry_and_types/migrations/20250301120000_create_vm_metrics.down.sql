DROP TABLE vm_metrics;
