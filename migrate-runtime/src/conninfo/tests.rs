use super::*;

fn parse(s: &str) -> ConnInfo {
    ConnInfo::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn env(c: &ConnInfo) -> Vec<(&'static str, String)> {
    c.libpq_env("app")
}

fn var<'e>(vars: &'e [(&'static str, String)], k: &str) -> Option<&'e str> {
    vars.iter().find(|(v, _)| *v == k).map(|(_, v)| v.as_str())
}

#[test]
fn a_url_gives_libpq_keywords_decoded() {
    let c = parse(
        "postgresql://u%20x:p%40ss%2Fw@db.example:6543/nova%20cron?sslmode=verify-full&sslrootcert=%2Fr.crt&x-migrations-table=m",
    );
    assert!(c.is_url());
    assert_eq!(c.get("user"), Some("u x"));
    assert_eq!(c.get("password"), Some("p@ss/w"));
    assert_eq!(c.get("host"), Some("db.example"));
    assert_eq!(c.get("port"), Some("6543"));
    assert_eq!(c.get("dbname"), Some("nova cron"));
    assert_eq!(c.path_database(), Some("nova cron"));
    assert_eq!(c.get("sslmode"), Some("verify-full"));
    assert_eq!(c.get("sslrootcert"), Some("/r.crt"));
    assert_eq!(c.get("x-migrations-table"), Some("m"));
    assert_eq!(c.get("hostaddr"), None);
}

#[test]
fn percent_escapes() {
    assert_eq!(percent_decode("a%2Fb%zz%4"), "a/b%zz%4");
    assert_eq!(percent_decode("%41%e2%82%ac%"), "A€%");
    assert_eq!(encode("p@ss w/rd:é", USERINFO), "p%40ss%20w%2Frd%3A%C3%A9");
    // Written back, a value reads as it was.
    for s in ["p@ss:w/o?r#d&=%", "plain", "", "日本"] {
        assert_eq!(percent_decode(&encode(s, USERINFO)), s);
        assert_eq!(percent_decode(&encode(s, QUERY)), s);
    }
}

#[test]
fn unix_socket_hosts() {
    let c = parse("postgres://me@%2Fvar%2Frun%2Fpostgresql:5433/db");
    assert_eq!(c.get("host"), Some("/var/run/postgresql"));
    assert_eq!(c.get("port"), Some("5433"));
    assert_eq!(
        c.redacted(),
        "postgres://me@%2Fvar%2Frun%2Fpostgresql:5433/db"
    );
    let e = env(&c);
    assert_eq!(var(&e, "PGHOST"), Some("/var/run/postgresql"));
    assert_eq!(var(&e, "PGPORT"), Some("5433"));
    // libpq's other spelling: no authority, the host as a parameter.
    let c = parse("postgresql:///db?host=/run/postgresql&user=me");
    assert_eq!(c.get("host"), Some("/run/postgresql"));
    assert_eq!(c.get("dbname"), Some("db"));
    assert_eq!(
        c.redacted(),
        "postgresql:///db?host=/run/postgresql&user=me"
    );
    assert_eq!(var(&env(&c), "PGHOST"), Some("/run/postgresql"));
}

#[test]
fn ipv6_hosts_and_host_lists() {
    let c = parse("postgres://u@[::1]:5433/db");
    assert_eq!(c.get("host"), Some("::1"));
    assert_eq!(c.get("port"), Some("5433"));
    assert_eq!(c.redacted(), "postgres://u@[::1]:5433/db");
    let c = parse("postgres://[fe80::1%25eth0]/db");
    assert_eq!(c.get("host"), Some("fe80::1%eth0"));
    assert_eq!(c.get("port"), None);

    let c = parse("postgres://a:1234,[::1],c:5678/db?target_session_attrs=read-write");
    assert_eq!(c.get("host"), Some("a,::1,c"));
    assert_eq!(c.get("port"), Some("1234,,5678"));
    assert_eq!(
        c.redacted(),
        "postgres://a:1234,[::1],c:5678/db?target_session_attrs=read-write"
    );
    let e = env(&c);
    assert_eq!(var(&e, "PGHOST"), Some("a,::1,c"));
    assert_eq!(var(&e, "PGPORT"), Some("1234,5432,5678"));
    assert_eq!(var(&e, "PGTARGETSESSIONATTRS"), Some("read-write"));

    for bad in ["postgres://[::1/db", "postgres://[::1]x/db"] {
        let e = ConnInfo::parse(bad).unwrap_err();
        assert!(matches!(e, MigrateError::InvalidUrl(_)), "{bad}: {e}");
    }
}

#[test]
fn query_params_in_order_and_the_last_wins() {
    let c = parse(
        "postgres://h/db?application_name=a%26b&connect_timeout=3&sslmode=disable&sslmode=require&options=-c%20search_path%3Dx",
    );
    assert_eq!(c.get("application_name"), Some("a&b"));
    assert_eq!(c.get("sslmode"), Some("require"));
    assert_eq!(c.get("options"), Some("-c search_path=x"));
    let keys: Vec<&str> = c.params().map(|(k, _)| k).collect();
    assert_eq!(
        keys,
        [
            "host",
            "dbname",
            "application_name",
            "connect_timeout",
            "sslmode",
            "sslmode",
            "options"
        ]
    );
    assert_eq!(
        c.driver_string(|k| k == "sslmode"),
        "host='h' dbname='db' application_name='a&b' connect_timeout='3' options='-c search_path=x'"
    );
    let e = env(&c);
    assert_eq!(var(&e, "PGAPPNAME"), Some("a&b"));
    assert_eq!(var(&e, "PGCONNECT_TIMEOUT"), Some("3"));
    assert_eq!(var(&e, "PGSSLMODE"), Some("require"));
    assert_eq!(var(&e, "PGOPTIONS"), Some("-c search_path=x"));
    // Written back with each value encoded where it must be.
    assert_eq!(
        c.with_database("x").unredacted(),
        "postgres://h/x?application_name=a%26b&connect_timeout=3&sslmode=disable&sslmode=require&options=-c%20search_path%3Dx"
    );
    assert!(ConnInfo::parse("postgres://h/db?sslmode").is_err());
}

#[test]
fn key_value_strings() {
    let c = parse(
        " host=localhost  port = 5433 user=me password=secret dbname='my db' sslmode=require",
    );
    assert!(!c.is_url());
    let c2 = parse(r"password='it\'s a \\ secret' user=me host=/tmp");
    assert_eq!(c2.get("password"), Some(r"it's a \ secret"));
    assert_eq!(c2.get("host"), Some("/tmp"));
    assert_eq!(c2.redacted(), "password=*** user=me host=/tmp");
    assert_eq!(
        c2.unredacted(),
        r"password='it\'s a \\ secret' user=me host=/tmp"
    );
    assert_eq!(c.get("port"), Some("5433"));
    assert_eq!(c.get("dbname"), Some("my db"));
    assert_eq!(c.path_database(), None);
    assert_eq!(
        c.with_database("other").redacted(),
        "host=localhost port=5433 user=me password=*** dbname=other sslmode=require"
    );
    assert_eq!(
        parse("host=h").with_database("x y").unredacted(),
        "host=h dbname='x y'"
    );
    let e = env(&c);
    assert_eq!(var(&e, "PGUSER"), Some("me"));
    assert_eq!(var(&e, "PGDATABASE"), Some("my db"));

    assert!(parse("").params().next().is_none());
    // A doubled quote is no escape in libpq's grammar: 'it' ends, then `'s'`
    // is a key without '='.
    for bad in [
        "host",
        "host=localhost =x",
        "password='open",
        "password='it''s'",
    ] {
        assert!(ConnInfo::parse(bad).is_err(), "{bad}");
    }
    let e = ConnInfo::parse("password='hunter22").unwrap_err();
    assert!(!e.to_string().contains("hunter22"), "{e}");
}

#[test]
fn redaction_never_shows_the_password() {
    for (s, secret) in [
        ("postgres://u:hunter22@h/db", "hunter22"),
        ("postgres://u:hun%40ter22@h/db", "hun"),
        ("postgres://:hunter22@h/db", "hunter22"),
        (
            "postgres://u@h/db?password=hunter22&sslmode=disable",
            "hunter22",
        ),
        ("postgres://u:first1@h/db?password=second2", "first1"),
        ("postgres://u:first1@h/db?password=second2", "second2"),
        ("host=h password=hunter22 user=u", "hunter22"),
        ("host=h password='hunter 22' user=u", "hunter"),
    ] {
        let c = parse(s);
        for shown in [
            c.redacted(),
            c.to_string(),
            format!("{c:?}"),
            c.with_database("x").redacted(),
            c.scrub(&format!("FATAL: {}", c.get("password").unwrap_or_default())),
        ] {
            assert!(!shown.contains(secret), "{s}: {shown}");
            assert!(shown.contains("***"), "{s}: {shown}");
        }
        assert!(c.unredacted().contains(secret), "{s}");
    }
    assert_eq!(
        parse("postgres://u:secret@h/db").redacted(),
        "postgres://u:***@h/db"
    );
    assert_eq!(parse("postgres://u@h/db").redacted(), "postgres://u@h/db");
    let e = ConnInfo::parse("postgres://u:hunter@22@localhost/db").unwrap_err();
    assert!(e.to_string().contains("%40") && !e.to_string().contains("hunter"));
}

#[test]
fn with_database_keeps_user_host_and_query() {
    assert_eq!(
        parse("postgres://u:p@h:5432/postgres?sslmode=disable")
            .with_database("x")
            .unredacted(),
        "postgres://u:p@h:5432/x?sslmode=disable"
    );
    assert_eq!(
        parse("postgres://h").with_database("x").unredacted(),
        "postgres://h/x"
    );
    assert_eq!(
        parse("postgres://h/?dbname=a")
            .with_database("b")
            .unredacted(),
        "postgres://h/b"
    );
    assert_eq!(
        parse("postgres://h/a b").with_database("c/d").unredacted(),
        "postgres://h/c%2Fd"
    );
}

#[test]
fn the_environment_defaults_as_the_driver_does() {
    let e = env(&parse("postgres://h/db"));
    assert_eq!(
        e,
        [
            ("PGHOST", "h".to_owned()),
            ("PGPORT", "5432".to_owned()),
            ("PGDATABASE", "db".to_owned()),
            ("PGAPPNAME", "app".to_owned()),
            ("PGCONNECT_TIMEOUT", "10".to_owned()),
            ("PGSSLMODE", "prefer".to_owned()),
        ]
    );
    let e = env(&parse("postgres://me:pw@/?connect_timeout=1"));
    assert_eq!(var(&e, "PGHOST"), Some("localhost"));
    assert_eq!(var(&e, "PGUSER"), Some("me"));
    assert_eq!(var(&e, "PGPASSWORD"), Some("pw"));
    assert_eq!(var(&e, "PGDATABASE"), Some("me"));
    assert_eq!(var(&e, "PGCONNECT_TIMEOUT"), Some("2"));
    for (k, _) in &e {
        assert!(
            LIBPQ_VARS.contains(k),
            "{k} is not cleared before it is set"
        );
    }
    let mut cmd = Command::new("true");
    parse("postgres://h/db").apply_env(&mut cmd, "app");
    let set: Vec<_> = cmd.get_envs().collect();
    assert!(set.contains(&(std::ffi::OsStr::new("PGSERVICE"), None::<&std::ffi::OsStr>)));
    assert!(set.contains(&(
        std::ffi::OsStr::new("PGHOST"),
        Some(std::ffi::OsStr::new("h"))
    )));
}

#[test]
fn quoting_for_key_value_strings() {
    assert_eq!(quote_value("a'b\\c"), "'a\\'b\\\\c'");
    let c = parse(&format!("password={} host=h", quote_value("a'b\\c d")));
    assert_eq!(c.get("password"), Some("a'b\\c d"));
}

/// What `backup` and `restore` hand to pg_dump and pg_restore.
#[test]
fn env_from_urls() {
    let c = parse(
        "postgres://u:p%40ss@db.example:6543/app?sslmode=verify-full&sslrootcert=/r.crt&x-migrations-table=m",
    );
    let e = env(&c);
    assert_eq!(var(&e, "PGHOST"), Some("db.example"));
    assert_eq!(var(&e, "PGPORT"), Some("6543"));
    assert_eq!(var(&e, "PGUSER"), Some("u"));
    assert_eq!(var(&e, "PGPASSWORD"), Some("p@ss"));
    assert_eq!(var(&e, "PGDATABASE"), Some("app"));
    assert_eq!(var(&e, "PGSSLMODE"), Some("verify-full"));
    assert_eq!(var(&e, "PGSSLROOTCERT"), Some("/r.crt"));
    assert!(e.iter().all(|(_, v)| v != "m"), "x- parameters stay out");
    assert_eq!(c.scrub("bad p@ss here"), "bad *** here");

    let e = env(&parse(
        "host=/run/postgresql user=me dbname=x sslmode=disable",
    ));
    assert_eq!(var(&e, "PGHOST"), Some("/run/postgresql"));
    assert_eq!(var(&e, "PGSSLMODE"), Some("disable"));
    assert_eq!(var(&e, "PGPASSWORD"), None);
}
