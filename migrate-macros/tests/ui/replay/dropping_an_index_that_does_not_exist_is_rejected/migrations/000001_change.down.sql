DROP INDEX hosts_id_index;
DROP TABLE hosts;
