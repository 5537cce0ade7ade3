CREATE TABLE invoices (id bigint PRIMARY KEY, amount money NOT NULL);
