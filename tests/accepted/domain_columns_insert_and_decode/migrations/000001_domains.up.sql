CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE DOMAIN required_posint AS posint NOT NULL;
CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');
CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    quota required_posint,
    contact email,
    spare posint
);
