DROP TABLE hosts;
DROP TYPE host_state;
