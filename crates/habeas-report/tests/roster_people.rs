//! The roster's people in every format: each name links to the person's
//! report, namesakes are told apart, and charges, sentence and the newest
//! fact stand beside the status.

mod support;

use habeas_report::{csv, html, json, markdown};

use support::{add_namesake, campaign_view, meta, roster, worked_example};

#[test]
fn namesakes_are_told_apart_in_every_format() {
    let mut world = worked_example();
    add_namesake(&mut world);
    let roster = roster(&world, campaign_view(), meta(false));
    let text = markdown::roster_markdown(&roster);
    let page = html::roster_html(&roster);
    // (slug, what tells them apart)
    let cases = [
        ("sar-kanika", "namesake: slug sar-kanika"),
        ("sar-kanika-2", "namesake: born 1994, slug sar-kanika-2"),
    ];
    for (slug, apart) in cases {
        let md_row = text
            .lines()
            .find(|line| line.starts_with(&format!("| [Sar Kanika]({slug}.html)")))
            .unwrap_or_else(|| panic!("a Markdown row linking {slug}.html"));
        assert!(md_row.contains(&format!("**{apart}**")), "{md_row}");
        let link = format!("<a class=\"report\" href=\"{slug}.html\">Sar Kanika</a>");
        let at = page.find(&link).unwrap_or_else(|| panic!("{link}"));
        let cell_end = page[at..].find("</td>").unwrap() + at;
        assert!(
            page[at..cell_end].contains(apart),
            "{}",
            &page[at..cell_end]
        );
    }
    let others = ["rong-chhun", "ton-nimol", "kem-sokha"];
    for slug in others {
        assert!(page.contains(&format!("href=\"{slug}.html\"")), "{slug}");
    }
    assert_eq!(text.matches("namesake:").count(), 2);

    let value: serde_json::Value = serde_json::from_str(&json::roster_json(&roster)).unwrap();
    let rows = value["rows"].as_array().unwrap();
    let by_slug = |slug: &str| {
        rows.iter()
            .find(|row| row["slug"] == slug)
            .unwrap_or_else(|| panic!("{slug}"))
    };
    assert_eq!(by_slug("sar-kanika-2")["born"], "1994");
    assert_eq!(by_slug("sar-kanika-2")["report"], "sar-kanika-2.html");
    assert_eq!(
        by_slug("sar-kanika-2")["namesake"],
        "namesake: born 1994, slug sar-kanika-2"
    );
    assert_eq!(by_slug("rong-chhun")["namesake"], serde_json::Value::Null);
    assert_eq!(by_slug("rong-chhun")["sentence"], "2 years (2021-08)");
    assert_eq!(
        by_slug("rong-chhun")["legal"]["charges"][0]["offence"],
        "incitement"
    );
    assert_eq!(by_slug("sar-kanika-2")["last_fact"], "2021-08-28");

    let table = csv::roster_csv(&roster);
    let header: Vec<&str> = table.lines().next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let row = table
        .lines()
        .find(|line| line.contains(",sar-kanika-2,"))
        .expect("the namesake's CSV row");
    let fields: Vec<&str> = row.split(',').collect();
    assert_eq!(fields[column("born")], "1994");
    assert_eq!(fields[column("last_fact")], "2021-08-28");
}

#[test]
fn charges_sentence_and_facility_stand_beside_the_status() {
    let roster = roster(&worked_example(), campaign_view(), meta(false));
    let text = markdown::roster_markdown(&roster);
    let row = text
        .lines()
        .find(|line| line.starts_with("| [Rong Chhun](rong-chhun.html)"))
        .expect("Rong Chhun's row");
    for cell in [
        "Prey Sar prison",
        "incitement (Criminal Code art. 495)",
        "2 years (2021-08)",
        "2021-11-12",
    ] {
        assert!(row.contains(&format!("| {cell} |")), "{cell}: {row}");
    }
    assert!(text.contains("Each name links to that person's report, SLUG.html"));
}
