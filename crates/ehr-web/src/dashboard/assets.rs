//! `/assets/`: the stylesheet and the script, compiled into the binary.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// The stylesheet.
pub const CSS: &str = include_str!("../../assets/app.css");
/// The script: account switcher, live inbox badge. The pages work without it.
pub const JS: &str = include_str!("../../assets/app.js");

/// `GET /assets/app.css`.
pub async fn css() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        CSS,
    )
        .into_response()
}

/// `GET /assets/app.js`.
pub async fn js() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        JS,
    )
        .into_response()
}
