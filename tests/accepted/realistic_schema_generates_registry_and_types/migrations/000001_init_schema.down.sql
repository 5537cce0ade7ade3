DROP TABLE nodes;
DROP TYPE vm_state;
