//! The OpenAPI document lists exactly the routes the router serves.

mod common;

use std::collections::BTreeSet;

use common::{Fixture, Who};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_matches_the_routes() {
    let fixture = Fixture::new().await;
    let answer = fixture
        .send(Who::Anonymous, "GET", "/api/v1/openapi.json", None)
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let document = answer.json();
    assert!(
        document["openapi"]
            .as_str()
            .expect("version")
            .starts_with("3.")
    );
    let mut documented = BTreeSet::new();
    for (path, operations) in document["paths"].as_object().expect("paths") {
        for method in operations.as_object().expect("operations").keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let routed: BTreeSet<(String, String)> = habeas_server::app::ROUTES
        .iter()
        .map(|(method, path)| (method.to_string(), path.to_string()))
        .collect();
    assert_eq!(documented, routed);
    // Every documented error is the one error body.
    assert!(
        document["components"]["schemas"]["ErrorBody"].is_object(),
        "{document}"
    );
    assert!(document["components"]["securitySchemes"]["bearer"].is_object());
}
