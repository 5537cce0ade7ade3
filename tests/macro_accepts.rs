//! What `embed_migrations!` accepts: each case is a module that embeds its own
//! fixture directory (under `tests/accepted/`) and a test of what it generates.
//! Ordinary tests in one binary: they share the workspace's build, where
//! trybuild would build each as a crate of its own (`tests/ui.rs` keeps the
//! rejected cases, whose compiler output is the contract).

mod column_type_without_rust_mapping_is_left_out {
    // PostgreSQL accepts a `money` column, so the build does not fail on it: the
    // column is left out of Row, and the table gets no Insert (it would need the
    // column). `types("money" => ...)` maps it.
    migrate_runtime::embed_migrations!(
        "tests/accepted/column_type_without_rust_mapping_is_left_out/migrations"
    );

    #[test]
    fn generates_what_it_should() {
        // Row has exactly the mapped columns.
        let row = schema::invoices::Row { id: 1 };
        assert_eq!(row.id, 1);
        assert_eq!(schema::invoices::columns::AMOUNT, "amount");
    }
}

mod create_index_concurrently_in_a_no_transaction_file_is_accepted {
    migrate_runtime::embed_migrations!(
        "tests/accepted/create_index_concurrently_in_a_no_transaction_file_is_accepted/migrations"
    );

    #[test]
    fn generates_what_it_should() {
        let index = MIGRATIONS.get(versions::V000002_INDEX_VM_NAMES).unwrap();
        assert!(!index.up.transactional);
        assert!(!index.down.as_ref().unwrap().transactional);
        assert!(
            MIGRATIONS
                .get(versions::V000001_CREATE_VMS)
                .unwrap()
                .up
                .transactional
        );
    }
}

mod empty_up_file_is_accepted {
    // An empty or comment-only up is a migration that does nothing, as in
    // golang-migrate, sqlx, refinery and dbmate.
    migrate_runtime::embed_migrations!("tests/accepted/empty_up_file_is_accepted/migrations");

    #[test]
    fn generates_what_it_should() {
        assert_eq!(MIGRATIONS.iter().count(), 1);
    }
}

mod irreversible_down_is_accepted {
    migrate_runtime::embed_migrations!("tests/accepted/irreversible_down_is_accepted/migrations");

    #[test]
    fn generates_what_it_should() {
        let gpus = MIGRATIONS.get(versions::V000002_ADD_GPU_COUNT).unwrap();
        assert!(gpus.irreversible);
        assert!(gpus.down.is_none());
        assert!(
            !MIGRATIONS
                .get(versions::V000001_CREATE_VMS)
                .unwrap()
                .irreversible
        );
    }
}

mod realistic_schema_generates_registry_and_types {
    migrate_runtime::embed_migrations!(
        "tests/accepted/realistic_schema_generates_registry_and_types/migrations",
        seeds = "tests/accepted/realistic_schema_generates_registry_and_types/seeds",
        // `Debug` is always derived: naming it again is no error.
        derive(Clone, PartialEq, Debug),
    );

    use migrate_runtime::Version;
    use sea_query::{PostgresQueryBuilder, Query};

    use self::schema::enums::VmState;

    // A target version named by a constant: a typo here does not compile.
    const BEFORE_METRICS: Version = versions::V000002_CREATE_VMS;

    #[test]
    fn generates_what_it_should() {
        // Sequential and timestamp versions, ordered by number.
        assert_eq!(MIGRATIONS.len(), 3);
        let latest = MIGRATIONS.latest().unwrap();
        assert_eq!(latest.version, versions::V20250301120000_CREATE_VM_METRICS);
        assert_eq!(latest.version.get(), 20_250_301_120_000);
        let vms = MIGRATIONS.get(BEFORE_METRICS).unwrap();
        assert_eq!(vms.name, "create_vms");
        assert_eq!(vms.label(), "000002_create_vms");
        assert_eq!(
            vms.up.path,
            "tests/accepted/realistic_schema_generates_registry_and_types/migrations/000002_create_vms.up.sql"
        );
        assert!(vms.up.sql.starts_with("CREATE TABLE vms ("));
        assert_eq!(
            MIGRATIONS
                .iter()
                .map(|m| m.version.get())
                .collect::<Vec<_>>(),
            [1, 2, 20_250_301_120_000]
        );

        assert_eq!(SEEDS.files().len(), 1);
        assert_eq!(SEEDS.files()[0].name, "01_nodes");
        assert!(SEEDS.clean().is_some());

        // `new` takes the required columns in table order; columns with a
        // default or an identity are optional, set with struct update syntax;
        // `type` is a raw identifier as a field.
        let vm = schema::vms::Insert {
            r#type: Some("gpu".into()),
            state: Some(VmState::Running),
            ..schema::vms::Insert::new(1, "web-1", 2048)
        };
        assert_eq!(vm.r#type.as_deref(), Some("gpu"));
        assert_eq!((vm.id, vm.created_at), (None, None));
        // The fields stay public: a struct literal still works (and names every
        // column, so it breaks when one is added).
        let literal = schema::vms::Insert {
            id: None,
            node_id: 1,
            name: "web-1".to_owned(),
            r#type: Some("gpu".to_owned()),
            state: Some(VmState::Running),
            memory_mb: 2048,
            created_at: None,
        };
        assert_eq!(literal, vm);
        // nodes.id is GENERATED ALWAYS AS IDENTITY: no value may go in, so
        // Insert has no field for it (as for a generated column).
        let node = schema::nodes::Insert::new("hv-1");
        assert_eq!(node.hostname.as_str(), "hv-1");
        let metric = schema::vm_metrics::Insert {
            cpu_percent: Some(12.5),
            ..schema::vm_metrics::Insert::new(
                migrate_runtime::__private::uuid::Uuid::nil(),
                migrate_runtime::__private::chrono::Utc::now(),
            )
        };
        assert_eq!(metric.cpu_percent, Some(12.5));

        // Feature `serde` (the root package enables it): Row, Insert and enums
        // serialize, enums by label.
        let json = serde_json::to_value(&vm).unwrap();
        assert_eq!(json["state"], "running");
        assert_eq!(json["type"], "gpu");
        assert_eq!(
            serde_json::from_value::<schema::vms::Insert>(json).unwrap(),
            vm
        );
        let row = schema::nodes::Row {
            id: 7,
            hostname: "hv-7".to_owned(),
        };
        let back: schema::nodes::Row =
            serde_json::from_str(&serde_json::to_string(&row).unwrap()).unwrap();
        assert_eq!(back, row);
        assert!(serde_json::from_str::<VmState>("\"paused\"").is_err());

        assert_eq!(schema::vms::TABLE, "vms");
        assert_eq!(schema::vms::columns::TYPE, "type");
        assert_eq!(schema::vms::columns::MEMORY_MB, "memory_mb");
        assert_eq!(
            schema::vms::COLUMNS,
            [
                "id",
                "node_id",
                "name",
                "type",
                "state",
                "memory_mb",
                "created_at"
            ]
        );
        assert_eq!(
            VmState::ALL,
            [VmState::Stopped, VmState::Running, VmState::Migrating]
        );
        assert_eq!(VmState::Migrating.as_str(), "migrating");
        assert_eq!("running".parse::<VmState>(), Ok(VmState::Running));

        // The names are sea-query identifiers as they are.
        let sql = Query::select()
            .column(schema::vms::columns::ID)
            .column((schema::vms::TABLE, schema::vms::columns::TYPE))
            .from((schema::vms::SCHEMA, schema::vms::TABLE))
            .to_string(PostgresQueryBuilder);
        assert_eq!(sql, r#"SELECT "id", "vms"."type" FROM "public"."vms""#);

        // `derive(Clone, PartialEq)` asked for them.
        assert_eq!(row.clone(), row);
    }
}

mod syntax_of_the_target_version_is_accepted {
    // NULLS NOT DISTINCT needs PostgreSQL 15: saying so makes it valid.
    migrate_runtime::embed_migrations!(
        "migrate-macros/tests/ui/replay/syntax_newer_than_the_target_is_rejected/migrations",
        postgres = "15",
    );

    #[test]
    fn generates_what_it_should() {
        assert_eq!(MIGRATIONS.len(), 1);
    }
}

mod type_mapped_with_types_argument_is_accepted {
    migrate_runtime::embed_migrations!(
        "tests/accepted/type_mapped_with_types_argument_is_accepted/migrations",
        types("money" => i64),
    );

    #[test]
    fn generates_what_it_should() {
        let invoice = schema::invoices::Insert::new(1, 1_999);
        let cents: i64 = invoice.amount;
        assert_eq!(cents, 1_999);
    }
}

mod up_only_directory_with_require_down_false_is_accepted {
    migrate_runtime::embed_migrations!(
        "tests/accepted/up_only_directory_with_require_down_false_is_accepted/migrations",
        require_down = false,
    );

    #[test]
    fn generates_what_it_should() {
        let vms = MIGRATIONS.get(versions::V000001_CREATE_VMS).unwrap();
        assert!(vms.down.is_none());
        assert!(!vms.irreversible);
    }
}

mod what_postgresql_accepts_is_accepted {
    // Every class of statement the fidelity issue lists, as PostgreSQL accepts it
    // (PostgreSQL ran these ups and downs; tests/corpus.rs holds the model to a real
    // server on real projects).
    migrate_runtime::embed_migrations!(
        "tests/accepted/what_postgresql_accepts_is_accepted/migrations"
    );

    #[test]
    fn generates_what_it_should() {
        assert_eq!(MIGRATIONS.len(), 5);
        // per_host's columns are derived from its query, so it gets types too.
        assert_eq!(schema::per_host::TABLE, "per_host");
        assert_eq!(schema::hosts::TABLE, "hosts");
    }
}

mod insert_survives_a_new_optional_column {
    // The same app code against the schema before and after a migration that
    // adds a nullable column and a column with a default: `Insert::new` takes
    // the required columns only, so it compiles against both (v2's first
    // migration files are links to v1's).
    macro_rules! app_code {
        () => {
            pub fn new_host() -> schema::hosts::Insert {
                schema::hosts::Insert {
                    note: Some("racked".into()),
                    ..schema::hosts::Insert::new("alpha")
                }
            }
        };
    }

    mod v1 {
        migrate_runtime::embed_migrations!(
            "tests/accepted/insert_survives_a_new_optional_column/v1"
        );
        app_code!();
    }

    mod v2 {
        migrate_runtime::embed_migrations!(
            "tests/accepted/insert_survives_a_new_optional_column/v2"
        );
        app_code!();
    }

    #[test]
    fn generates_what_it_should() {
        assert_eq!(v1::new_host().name, "alpha");
        let host = v2::new_host();
        assert_eq!(host.note.as_deref(), Some("racked"));
        assert_eq!((host.rack, host.weight), (None, None));
        let racked = v2::schema::hosts::Insert {
            rack: Some("r1".into()),
            ..v2::new_host()
        };
        assert_eq!(racked.rack.as_deref(), Some("r1"));
    }
}

mod a_file_wrapped_in_begin_and_commit_is_accepted {
    // golang-migrate runs a file as it is, so its users wrap one in BEGIN ...
    // COMMIT: the two are the migration's own transaction, which the runner
    // opens, so they are not among the statements it sends.
    migrate_runtime::embed_migrations!(
        "tests/accepted/a_file_wrapped_in_begin_and_commit_is_accepted/migrations"
    );

    #[test]
    fn generates_what_it_should() {
        let m = MIGRATIONS.get(versions::V000001_CREATE_VMS).unwrap();
        for script in [&m.up, m.down.as_ref().unwrap()] {
            assert!(script.transactional);
            let sent: Vec<&str> = (script.statements.iter())
                .map(|&(a, b)| &script.sql[a..b])
                .collect();
            assert_eq!(sent.len(), 1, "{sent:?}");
            assert!(!sent[0].contains("BEGIN") && !sent[0].contains("COMMIT"));
        }
        assert_eq!(schema::vms::columns::NAME, "name");
    }
}

mod names_that_collide_in_rust_are_told_apart {
    // SQL names that differ in case or punctuation, or that are names the
    // generated code uses itself (`enums`, `__p`, a `Box` or `Sync` type, an
    // `err` label), each get a Rust name of their own: a number after the
    // second of a pair (a name that is its own Rust spelling keeps it).
    migrate_runtime::embed_migrations!(
        "tests/accepted/names_that_collide_in_rust_are_told_apart/migrations"
    );

    #[test]
    fn generates_what_it_should() {
        let t = schema::t::Row {
            a: Some(1),
            a_2: None,
            id: None,
            id_2: None,
            userid: None,
            userid_2: None,
        };
        assert_eq!(t.a, Some(1));
        assert_eq!(schema::t::columns::A_, "A");
        assert_eq!(schema::t_2::TABLE, "T");
        assert_eq!(schema::enums_2::TABLE, "enums");
        assert_eq!(schema::__p_2::TABLE, "__p");
        assert_eq!(schema::s::TABLE, "s");
        assert_eq!(schema::s_2::t::SCHEMA, "s");
        assert_eq!(schema::s_2::enums_2::TABLE, "enums");
        // "VmState" is its own PascalCase name; vm_state only becomes it.
        assert_eq!(schema::enums::VmState::Down.as_str(), "down");
        assert_eq!(schema::enums::VmState2::Up.as_str(), "up");
        assert_eq!("err".parse(), Ok(schema::enums::Status::Err));
        let u = schema::uses::Insert::new(schema::enums::Status::Ok);
        assert_eq!(u.b, None::<schema::enums::Box>);
        assert_eq!(schema::enums::Sync::On.to_string(), "on");
    }
}

mod domain_columns_insert_and_decode {
    // A value for a domain column goes as the domain's base type (PostgreSQL
    // types the parameter as the domain, which `i32` does not encode to),
    // and the domain's checks still apply; a NOT NULL domain's column is
    // required, a GENERATED ALWAYS identity has no field.
    migrate_runtime::embed_migrations!(
        "tests/accepted/domain_columns_insert_and_decode/migrations"
    );

    #[test]
    fn generates_what_it_should() {
        let db = test_support::TestDb::new();
        let mut client = db.client();
        migrate_runtime::Migrator::new(&MIGRATIONS)
            .up(&mut client)
            .unwrap();
        let row = schema::accounts::Insert {
            contact: Some("ops@example.com".to_owned()),
            ..schema::accounts::Insert::new(5)
        }
        .insert(&mut client)
        .unwrap();
        assert_eq!(
            (row.quota, row.contact.as_deref(), row.spare),
            (5, Some("ops@example.com"), None)
        );
        // The domain's check is PostgreSQL's, as ever.
        let refused = schema::accounts::Insert::new(-1).insert(&mut client);
        assert!(refused.is_err());
    }
}
