//! `SHOW GRANTS` as MariaDB 10.11 and MySQL 8 print it.

use super::*;

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

#[test]
fn own_role_and_public_grants_all_count_and_passwords_are_not_read() {
    let g = parse(&lines(
        "GRANT `r1` TO `svc`@`%`\n\
         GRANT USAGE ON *.* TO `svc`@`%` IDENTIFIED BY PASSWORD '*D821809F681A40A6E379B50D0463EFAE20BDD122'\n\
         GRANT SELECT, INSERT ON `app`.`t` TO `svc`@`%`\n\
         GRANT SELECT (`pub`, `id`), UPDATE (`pub`) ON `app`.`c` TO `svc`@`%`\n\
         GRANT USAGE ON *.* TO `r1`\n\
         GRANT SELECT ON `app`.`s` TO `r1`\n\
         GRANT SELECT ON `app`.`pub` TO PUBLIC\n\
         SET DEFAULT ROLE `r1` FOR `svc`@`%`",
    ));
    assert_eq!(g.incomplete, None);
    assert_eq!(g.roles, ["r1"]);
    assert_eq!(
        g.table("app", "t").held,
        [Privilege::Select, Privilege::Insert]
    );
    assert_eq!(g.table("app", "s").held, [Privilege::Select]);
    assert_eq!(g.table("app", "pub").held, [Privilege::Select]);
    assert!(g.table("app", "other").held.is_empty());
    let c = g.table("app", "c");
    assert!(c.held.is_empty());
    assert_eq!(c.on_some_columns, [Privilege::Select, Privilege::Update]);
    let cols = g.columns("app", "c");
    let by: Vec<(&str, &[Privilege])> = cols
        .iter()
        .map(|c| (c.column.as_str(), c.held.as_slice()))
        .collect();
    assert_eq!(
        by,
        [
            ("id", &[Privilege::Select][..]),
            ("pub", &[Privilege::Select, Privilege::Update][..])
        ]
    );
}

#[test]
fn database_and_global_levels_and_wildcards_apply_to_every_table() {
    let g = parse(&lines(
        "GRANT SELECT ON *.* TO `u`@`%`\n\
         GRANT INSERT, DELETE ON `app\\_%`.* TO `u`@`%`\n\
         GRANT ALL PRIVILEGES ON `other`.* TO `u`@`%`",
    ));
    assert_eq!(
        g.table("app_1", "t").held,
        [Privilege::Select, Privilege::Insert, Privilege::Delete]
    );
    // The escaped underscore is literal: appx1 does not match app\_%.
    assert_eq!(g.table("appx1", "t").held, [Privilege::Select]);
    assert_eq!(
        g.table("other", "t").held,
        [
            Privilege::Select,
            Privilege::Insert,
            Privilege::Update,
            Privilege::Delete
        ]
    );
}

#[test]
fn a_role_whose_grants_are_not_listed_makes_the_picture_incomplete() {
    // MySQL 8 without `USING`: the role's own grants are not printed.
    let g = parse(&lines(
        "GRANT USAGE ON *.* TO `svc`@`%`\nGRANT `reader`@`%` TO `svc`@`%`",
    ));
    assert!(g.incomplete.unwrap().contains("reader"));
}

#[test]
fn the_trigger_privilege_decides_which_tables_triggers_are_visible() {
    let l = lines(
        "GRANT SELECT, TRIGGER ON `app`.`a` TO `u`@`%`\nGRANT ALL PRIVILEGES ON `x`.* TO `u`@`%`",
    );
    let levels = trigger_levels(&l);
    assert!(sees_triggers(&levels, "app", "a"));
    assert!(!sees_triggers(&levels, "app", "b"));
    assert!(sees_triggers(&levels, "x", "anything"));
}

#[test]
fn a_proxy_grant_names_no_table_and_leaves_the_picture_complete() {
    // MariaDB's and MySQL's root accounts carry one.
    let g = parse(&lines(
        "GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION\n\
         GRANT PROXY ON ''@'%' TO 'root'@'localhost' WITH GRANT OPTION",
    ));
    assert_eq!(g.incomplete, None, "{g:?}");
    assert!(g.roles.is_empty(), "{g:?}");
}
