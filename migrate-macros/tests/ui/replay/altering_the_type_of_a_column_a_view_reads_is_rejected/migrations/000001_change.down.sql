DROP VIEW host_cores;
DROP TABLE hosts;
