DROP TABLE accounts;
DROP DOMAIN email;
DROP DOMAIN required_posint;
DROP DOMAIN posint;
