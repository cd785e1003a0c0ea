//! The custody timeline as drawn: the axis spans the person's facts whatever
//! the as-of day (broken before a far one), every text is at least 12 px,
//! milestone labels read in date order from the top, and the legend explains
//! exactly the marks the picture uses.

mod support;

use habeas_domain::status::View;
use habeas_report::html;

use support::{Filtering, day, final_view, meta, person_report, worked_example};

/// The HTML report of `person` as of `as_of`, known as in the snapshots.
fn page(person: habeas_domain::id::PersonId, as_of: &str) -> String {
    let view = View {
        as_of: day(as_of),
        ..final_view()
    };
    html::person_html(&person_report(
        &worked_example(),
        person,
        view,
        meta(false),
        Filtering::Facade,
    ))
}

/// The `<svg>` element of a page.
fn svg(page: &str) -> &str {
    let start = page.find("<svg").expect("a timeline");
    let end = page[start..].find("</svg>").expect("a closed svg") + start;
    &page[start..end]
}

/// The value of attribute `name` in the tag starting at `tag`.
fn attr(tag: &str, name: &str) -> Option<f64> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    tag[start..end].parse().ok()
}

/// Every tag named `element` in `svg`, up to its `>`.
fn tags<'a>(svg: &'a str, element: &str) -> Vec<&'a str> {
    let open = format!("<{element} ");
    svg.match_indices(&open)
        .map(|(idx, _)| {
            let end = svg[idx..].find('>').map_or(svg.len(), |end| idx + end);
            &svg[idx..end]
        })
        .collect()
}

/// The legend's keys, by the class of their swatches.
fn legend(page: &str) -> Vec<String> {
    page.match_indices("<span class=\"swatch ")
        .map(|(idx, _)| {
            let rest = &page[idx + "<span class=\"swatch ".len()..];
            rest[..rest.find('"').unwrap_or(0)].to_owned()
        })
        .collect()
}

/// How much of the axis the custody bar (faded ends included) covers.
fn custody_share(svg: &str) -> f64 {
    let axis = tags(svg, "line")
        .into_iter()
        .find(|line| attr(line, "x1") == Some(92.0) && attr(line, "y1") == attr(line, "y2"))
        .expect("the axis");
    let (axis_from, axis_to) = (attr(axis, "x1").unwrap(), attr(axis, "x2").unwrap());
    let bars: Vec<(f64, f64)> = tags(svg, "rect")
        .into_iter()
        .filter(|rect| rect.contains("fill=\"#9b1c1c\""))
        .map(|rect| {
            let x = attr(rect, "x").unwrap();
            (x, x + attr(rect, "width").unwrap())
        })
        .collect();
    let from = bars.iter().map(|b| b.0).fold(f64::INFINITY, f64::min);
    let to = bars.iter().map(|b| b.1).fold(f64::NEG_INFINITY, f64::max);
    (to - from) / (axis_to - axis_from)
}

#[test]
fn the_custody_fills_the_axis_whatever_the_as_of_day() {
    // (as of, broken axis)
    let cases = [
        ("2021-11-20", false),
        ("2022-06-01", true),
        ("2026-12-08", true),
    ];
    for (as_of, broken) in cases {
        let page = page(support::rong_chhun(), as_of);
        let svg = svg(&page);
        let share = custody_share(svg);
        assert!(
            share > 0.7,
            "as of {as_of}: 15 months of custody take {share:.2} of the axis"
        );
        assert_eq!(
            legend(&page).contains(&"break".to_owned()),
            broken,
            "as of {as_of}"
        );
        assert!(svg.contains(&format!(">as of {as_of}</text>")));
    }
}

#[test]
fn every_text_is_at_least_12_px_and_drawn_at_natural_size() {
    for (person, as_of) in [
        (support::rong_chhun(), "2021-11-20"),
        (support::rong_chhun(), "2026-12-08"),
        (support::kem_sokha(), "2021-11-20"),
        (support::ton_nimol(), "2021-10-01"),
    ] {
        let page = page(person, as_of);
        let svg = svg(&page);
        let texts = tags(svg, "text");
        assert!(!texts.is_empty());
        for text in texts {
            let size = attr(text, "font-size").expect("every text sets its size");
            assert!(size >= 12.0, "{text}");
        }
        // The page never draws the picture narrower than its own width.
        let width = attr(svg, "width").expect("the picture's width");
        assert!(page.contains(&format!(
            ".timeline svg {{ display: block; width: 100%; min-width: {width}px;"
        )));
    }
}

#[test]
fn milestone_labels_read_in_date_order_from_the_top() {
    let page = page(support::rong_chhun(), "2021-11-20");
    let svg = svg(&page);
    let label_y = |label: &str| {
        tags(svg, "text")
            .into_iter()
            .find(|tag| {
                let rest = &svg[svg.find(*tag).unwrap() + tag.len() + 1..];
                rest.starts_with(label)
            })
            .and_then(|tag| attr(tag, "y"))
            .unwrap_or_else(|| panic!("no label {label}"))
    };
    // (earlier, later): side by side, the earlier one stands higher.
    let pairs = [
        ("2020-07 Detained", "2020-08 Charged"),
        ("2021-11-12 Released", "2021-11-12 Hearing"),
    ];
    for (earlier, later) in pairs {
        assert!(label_y(earlier) < label_y(later), "{earlier} above {later}");
    }
}

#[test]
fn the_legend_explains_only_what_the_picture_uses() {
    // (person, as of, keys in legend order)
    let cases: [(_, &str, &[&str]); 3] = [
        (
            support::rong_chhun(),
            "2021-11-20",
            &[
                "custody",
                "uncertain",
                "milestone",
                "uncertain-milestone",
                "as-of",
            ],
        ),
        (
            support::kem_sokha(),
            "2021-11-20",
            &[
                "restriction",
                "uncertain-restriction",
                "ongoing",
                "uncertain-milestone",
                "approximate",
                "as-of",
            ],
        ),
        (
            support::ton_nimol(),
            "2021-10-01",
            &[
                "custody",
                "uncertain",
                "ongoing",
                "milestone",
                "uncertain-milestone",
                "as-of",
            ],
        ),
    ];
    for (person, as_of, expected) in cases {
        assert_eq!(
            legend(&page(person, as_of)),
            expected,
            "{person} as of {as_of}"
        );
    }
    let page = page(support::rong_chhun(), "2021-11-20");
    assert!(page.contains("grey band on the axis: a milestone known only to the month or year"));
    assert!(!page.contains("restriction in force"));
}
