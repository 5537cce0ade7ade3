-- PostgreSQL accepts every name here; in Rust each pair would be one name.
CREATE TABLE t (a int, "A" int, id int, "Id" int, "userId" int, userid int);
CREATE TABLE "T" (a int);
CREATE TABLE enums (a int);
CREATE TABLE __p (a int);
CREATE SCHEMA s;
CREATE TABLE s.t (a int);
CREATE TABLE s.enums (a int);
CREATE TABLE public.s (a int);
CREATE TYPE vm_state AS ENUM ('up');
CREATE TYPE "VmState" AS ENUM ('down');
CREATE TYPE status AS ENUM ('ok', 'err');
CREATE TYPE box AS ENUM ('small', 'large');
CREATE TYPE sync AS ENUM ('on');
CREATE TABLE uses (st status NOT NULL, b public.box, y sync);
