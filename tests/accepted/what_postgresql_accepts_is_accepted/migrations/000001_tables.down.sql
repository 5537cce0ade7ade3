DROP FUNCTION touch() CASCADE;
DROP TABLE samples, hosts;
