//! The real CHRD data set through `examples/mappings/chrd.toml` (which
//! describes it), when a copy of it sits beside the repository
//! (`../shared/data/chrd/`); it is never committed, and
//! `tests/fixtures/chrd-sample.csv` is the committed sample of its shape.
//! Prints the counts and every rejection, grouped by reason.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;
use habeas::codec;
use habeas::tracker::Tracker;
use habeas_import::config::ImportConfig;
use habeas_import::mapping::Mapping;
use habeas_import::run_csv::import_csv;
use habeas_store::MemoryStore;

#[tokio::test]
async fn the_real_chrd_file_imports_with_the_shipped_mapping() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let data_path = root.join("../../../shared/data/chrd/CHRD_fullinfo.csv");
    let Ok(data) = std::fs::read(&data_path) else {
        println!(
            "note: {} is absent; skipping the import of the real CHRD file",
            data_path.display()
        );
        return;
    };
    let mapping_text =
        std::fs::read_to_string(root.join("../../examples/mappings/chrd.toml")).unwrap();
    let mapping = Mapping::from_toml(&mapping_text).unwrap();
    let tracker = Tracker::with_temporary_projections(Arc::new(MemoryStore::with_upcaster(Some(
        codec::upcaster(),
    ))))
    .expect("temporary projections");
    let config = ImportConfig {
        recorded_by: "chrd import test".to_owned(),
        at: Utc::now(),
        dry_run: false,
    };
    let report = import_csv(&tracker, &data, &mapping, &config, &mut |_, _| {})
        .await
        .unwrap();

    println!(
        "CHRD_fullinfo.csv: {} rows, {} imported ({} events), {} rejected, {} warnings",
        report.n_rows,
        report.n_imported,
        report.n_events,
        report.rejections.len(),
        report.warnings.len()
    );
    for (code, rejections) in report.rejections_by_code() {
        println!("  {code}: {}", rejections.len());
        for rejection in rejections {
            println!("    {}: {}", rejection.at, rejection.reason);
        }
    }

    let n_url_warnings = report
        .warnings
        .iter()
        .filter(|w| w.message.contains("from the URL"))
        .count();
    println!("  warnings: {n_url_warnings} URLs cleaned; others:");
    for warning in report
        .warnings
        .iter()
        .filter(|w| !w.message.contains("from the URL"))
    {
        println!("    {}: {}", warning.at, warning.message);
    }

    assert_eq!(report.n_rows, 186, "the data set has 186 rows");
    assert_eq!(
        report.n_imported + report.rejections.len(),
        report.n_rows,
        "every row is imported or rejected"
    );
    assert!(
        report.n_imported >= 150,
        "the mapping should understand most rows: {} imported",
        report.n_imported
    );
    // Only reasons about the data, never about reading the file.
    for rejection in &report.rejections {
        let code = rejection.reason.code();
        assert!(
            !["unreadable_row", "too_many_cells", "unmapped_value"].contains(&code),
            "{}: {}",
            rejection.at,
            rejection.reason
        );
    }
    assert_eq!(
        tracker.people().await.unwrap().people().len(),
        report.n_imported
    );
}
