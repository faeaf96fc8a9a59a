use super::*;

#[test]
fn token_shape_is_checked_and_never_printed() {
    let token = Token::parse("123456:ABC-def_ghi").unwrap();
    assert_eq!(format!("{token:?}"), "Token(<redacted>)");
    for bad in [
        "", "abc", "123456", "123456:", ":abc", "12a:abc", "123:ab c", "123:ab/c",
    ] {
        assert!(
            matches!(Token::parse(bad), Err(ConfigError::MalformedToken)),
            "{bad:?}"
        );
    }
}

#[test]
fn flags_win_over_the_config_file_and_defaults_fill_the_rest() {
    let file = RunSettings {
        token: Some("1:file".into()),
        data: Some("file.sqlite3".into()),
        red_flag_cooldown_seconds: Some(30),
        ..RunSettings::default()
    };
    let overrides = RunSettings {
        token: Some("2:env".into()),
        red_flag_cooldown_seconds: Some(5),
        ..RunSettings::default()
    };
    let config = overrides.over(file).resolve().unwrap();
    assert_eq!(config.token.expose(), "2:env");
    assert_eq!(config.data, PathBuf::from("file.sqlite3"));
    assert_eq!(config.red_flag_cooldown, Duration::from_secs(5));
    assert!(config.api_url.is_none());
}

#[test]
fn missing_token_and_bad_url_are_clear_errors() {
    let err = RunSettings::default().resolve().unwrap_err();
    assert!(err.to_string().contains("TELOXIDE_TOKEN"));
    let overrides = RunSettings {
        token: Some("1:x".into()),
        api_url: Some("not a url".into()),
        ..RunSettings::default()
    };
    assert!(matches!(
        overrides.resolve(),
        Err(ConfigError::BadApiUrl { .. })
    ));
}

#[test]
fn webhook_mode_is_chosen_by_the_url_and_validated() {
    let base = || RunSettings {
        token: Some("1:x".into()),
        ..RunSettings::default()
    };
    let polling = base().resolve().unwrap();
    assert!(matches!(
        polling.mode,
        Mode::Polling {
            metrics_listen: None,
            max_in_flight: DEFAULT_MAX_UPDATES_IN_FLIGHT
        }
    ));
    assert_eq!(
        polling.flood_control,
        FloodControl::Telegram {
            messages_per_second: 30
        }
    );

    let file = RunSettings {
        webhook_url: Some("https://example.org/backleg".into()),
        webhook_secret: Some("s3cret_-X".into()),
        ..RunSettings::default()
    };
    let config = RunSettings {
        listen: Some("127.0.0.1:9000".into()),
        ..base()
    }
    .over(file)
    .resolve()
    .unwrap();
    let Mode::Webhook(webhook) = config.mode else {
        panic!("webhook mode expected")
    };
    assert_eq!(webhook.url.path(), "/backleg");
    assert_eq!(webhook.listen, "127.0.0.1:9000".parse().unwrap());
    assert_eq!(webhook.secret.expose(), "s3cret_-X");
    assert!(!webhook.secret_generated);
    assert_eq!(format!("{:?}", webhook.secret), "WebhookSecret(<redacted>)");

    let generated = RunSettings {
        webhook_url: Some("https://example.org/x".into()),
        ..base()
    }
    .resolve()
    .unwrap();
    let Mode::Webhook(webhook) = generated.mode else {
        panic!("webhook mode expected")
    };
    assert!(webhook.secret_generated && WebhookSecret::parse(webhook.secret.expose()).is_ok());

    for (overrides, setting) in [
        (
            RunSettings {
                webhook_url: Some("https://e.org/x".into()),
                webhook_secret: Some("has space".into()),
                ..base()
            },
            "--webhook-secret",
        ),
        (
            RunSettings {
                webhook_url: Some("https://e.org/x".into()),
                listen: Some("nowhere".into()),
                ..base()
            },
            "--listen",
        ),
        (
            RunSettings {
                listen: Some("127.0.0.1:1".into()),
                ..base()
            },
            "--listen",
        ),
        (
            RunSettings {
                webhook_url: Some("https://e.org/metrics".into()),
                ..base()
            },
            "--webhook-url",
        ),
        (
            RunSettings {
                webhook_url: Some("ftp://e.org/x".into()),
                ..base()
            },
            "--webhook-url",
        ),
        (
            RunSettings {
                webhook_url: Some("https://e.org/:hook".into()),
                ..base()
            },
            "--webhook-url",
        ),
        (
            RunSettings {
                webhook_url: Some("https://e.org/x".into()),
                metrics_listen: Some("127.0.0.1:9".into()),
                ..base()
            },
            "--metrics-listen",
        ),
        (
            RunSettings {
                flood_control: Some("sometimes".into()),
                ..base()
            },
            "--flood-control",
        ),
        (
            RunSettings {
                metrics_listen: Some("x".into()),
                ..base()
            },
            "--metrics-listen",
        ),
    ] {
        let err = overrides.resolve().unwrap_err();
        assert!(err.to_string().starts_with(setting), "{err}");
        assert!(!err.to_string().contains("has space"), "{err}");
    }
}

#[test]
fn config_file_errors_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("backleg.toml");
    std::fs::write(&path, "data = \"x\"\nunknown_key = 1\n").unwrap();
    let err = RunSettings::read_file(&path).unwrap_err();
    assert!(err.to_string().contains(":2:"), "{err}");
}

#[test]
fn every_problem_is_reported_at_once() {
    let settings = RunSettings {
        token: Some("not a token".into()),
        webhook_url: Some("ftp://e.org/x".into()),
        listen: Some("nowhere".into()),
        webhook_max_connections: Some(0),
        flood_control: Some("sometimes".into()),
        ..RunSettings::default()
    };
    let err = settings.resolve().unwrap_err();
    let ConfigError::Several(problems) = &err else {
        panic!("several problems expected: {err}")
    };
    let text = err.to_string();
    assert!(text.starts_with("5 problems with the settings:"), "{text}");
    for needle in [
        "malformed",
        "--webhook-url",
        "--listen",
        "--webhook-max-connections",
        "--flood-control",
    ] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    assert_eq!(problems.len(), 5);
}

#[test]
fn a_blank_flag_or_variable_falls_back_to_the_file() {
    let file = RunSettings {
        storage: Some("memory".into()),
        token: Some("1:file".into()),
        drop_pending: Some(true),
        ..RunSettings::default()
    };
    let given = RunSettings {
        storage: Some("  ".into()),
        token: Some(String::new()),
        drop_pending: Some(false),
        ..RunSettings::default()
    };
    let merged = given.over(file);
    assert_eq!(merged.storage.as_deref(), Some("memory"));
    assert_eq!(merged.token.as_deref(), Some("1:file"));
    assert_eq!(merged.drop_pending, Some(true));
}

#[test]
fn the_help_shows_the_defaults_of_the_consts() {
    use clap::CommandFactory;

    #[derive(clap::Parser)]
    struct Run {
        #[command(flatten)]
        settings: RunSettings,
    }
    let command = Run::command();
    let help_of = |id: &str| {
        command
            .get_arguments()
            .find(|arg| arg.get_id() == id)
            .and_then(|arg| arg.get_help())
            .map(ToString::to_string)
            .unwrap_or_else(|| panic!("no help for {id}"))
    };
    let shown = [
        ("data", DEFAULT_DATA_FILE.to_owned()),
        (
            "red_flag_cooldown_seconds",
            DEFAULT_RED_FLAG_COOLDOWN.as_secs().to_string(),
        ),
        ("listen", DEFAULT_LISTEN.to_owned()),
        (
            "webhook_max_connections",
            DEFAULT_WEBHOOK_MAX_CONNECTIONS.to_string(),
        ),
        (
            "messages_per_second",
            DEFAULT_MESSAGES_PER_SECOND.to_string(),
        ),
        (
            "max_updates_in_flight",
            DEFAULT_MAX_UPDATES_IN_FLIGHT.to_string(),
        ),
    ];
    for (id, default) in shown {
        let help = help_of(id);
        assert!(
            help.contains(&format!("[default: {default}]")),
            "{id}: {help}"
        );
    }
}

#[test]
fn group_answers_per_minute_comes_from_a_flag_a_variable_or_the_file_and_is_validated() {
    use clap::{CommandFactory, Parser};

    #[derive(clap::Parser)]
    struct Run {
        #[command(flatten)]
        settings: RunSettings,
    }
    let token = || Some("1:x".to_owned());
    // The default, and its help text.
    let config = RunSettings {
        token: token(),
        ..RunSettings::default()
    }
    .resolve()
    .unwrap();
    assert_eq!(
        config.group_answers_per_minute,
        DEFAULT_GROUP_ANSWERS_PER_MINUTE
    );
    assert_eq!(DEFAULT_GROUP_ANSWERS_PER_MINUTE, 5);
    let command = Run::command();
    let arg = command
        .get_arguments()
        .find(|arg| arg.get_id() == "group_answers_per_minute")
        .expect("the flag exists");
    assert_eq!(arg.get_long(), Some("group-answers-per-minute"));
    assert_eq!(
        arg.get_env().and_then(|e| e.to_str()),
        Some("BACKLEG_GROUP_ANSWERS_PER_MINUTE")
    );
    let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
    assert!(help.contains("[default: 5]"), "{help}");

    // The flag, over the file's key.
    let flag = Run::try_parse_from(["run", "--group-answers-per-minute", "3"])
        .unwrap()
        .settings;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("backleg.toml");
    std::fs::write(&path, "group_answers_per_minute = 0\n").unwrap();
    let file = RunSettings::read_file(&path).unwrap();
    assert_eq!(file.group_answers_per_minute, Some(0));
    let merged = RunSettings {
        token: token(),
        ..flag
    }
    .over(file.clone());
    assert_eq!(merged.resolve().unwrap().group_answers_per_minute, 3);
    let from_file = RunSettings {
        token: token(),
        ..RunSettings::default()
    }
    .over(file);
    assert_eq!(
        from_file.resolve().unwrap().group_answers_per_minute,
        0,
        "0 (no limit) is allowed"
    );

    // Validation: not negative, not a word, at most the maximum.
    for bad in ["-1", "five", ""] {
        assert!(
            Run::try_parse_from(["run", "--group-answers-per-minute", bad]).is_err(),
            "{bad:?}"
        );
    }
    let too_many = RunSettings {
        token: token(),
        group_answers_per_minute: Some(MAX_GROUP_ANSWERS_PER_MINUTE + 1),
        ..RunSettings::default()
    };
    let err = too_many.resolve().unwrap_err();
    assert!(
        err.to_string().contains("--group-answers-per-minute"),
        "{err}"
    );
    assert!(toml::from_str::<RunSettings>("group_answers_per_minute = -2").is_err());
}
