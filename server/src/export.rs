//! Battlecard downloads: `GET /cards/{id}/export/{pdf|docx}` (add `?published=true`
//! for the published version). The document is built on the blocking pool; the file
//! name comes from the card but can carry no path or header syntax.
use app::components::format::format_time;
use app::error::ErrorCode;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use domain::accounts::CurrentUser;
use domain::battlecards::ExportData;
use domain::time::now_ms;
use domain::types::{CardId, SectionKey, OBJECTIONS_LABEL};
use http::{header, HeaderValue};
use serde::Deserialize;

use crate::error::HttpError;
use crate::startup::AppState;

#[derive(Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    published: bool,
}

#[derive(Clone, Copy)]
enum Format {
    Pdf,
    Docx,
}

impl Format {
    fn parse(text: &str) -> Option<Format> {
        match text {
            "pdf" => Some(Format::Pdf),
            "docx" => Some(Format::Docx),
            _ => None,
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Docx => "docx",
        }
    }
}

/// Turns a card into the exporter's document: sections in card order, empty ones
/// left out, the objection table where it sits in the card.
pub fn document(data: &ExportData, exported_at: String) -> export::CardDocument {
    let mut blocks = Vec::new();
    for (i, key) in SectionKey::ALL.into_iter().enumerate() {
        if i == SectionKey::BEFORE_OBJECTIONS && !data.content.objections.is_empty() {
            blocks.push(export::Block::Objections {
                title: OBJECTIONS_LABEL.into(),
                items: data
                    .content
                    .objections
                    .iter()
                    .map(|o| (o.objection.clone(), o.answer.clone()))
                    .collect(),
            });
        }
        let markdown = data.content.section(key);
        if !markdown.trim().is_empty() {
            blocks.push(export::Block::Markdown {
                title: key.label().into(),
                markdown: markdown.into(),
            });
        }
    }
    export::CardDocument {
        competitor: data.competitor.clone(),
        title: data.content.title.clone(),
        summary: data.content.summary.clone(),
        status: data.status.label().into(),
        version: data.version,
        exported_at,
        blocks,
    }
}

/// The export failed on our side (logged with its cause by the caller).
fn failed() -> HttpError {
    HttpError::new(ErrorCode::Internal, "The export failed. Please try again.")
}

pub async fn card(
    State(state): State<AppState>,
    path: Result<Path<(CardId, String)>, PathRejection>,
    query: Result<Query<ExportQuery>, QueryRejection>,
    user: Option<Extension<CurrentUser>>,
) -> Result<Response, HttpError> {
    let Some(Extension(user)) = user else {
        return Err(HttpError::new(
            ErrorCode::Unauthenticated,
            "Sign in to export cards.",
        ));
    };
    let Path((id, format)) = path.map_err(HttpError::unreadable)?;
    let Query(query) = query.map_err(HttpError::unreadable)?;
    let Some(format) = Format::parse(&format) else {
        return Err(HttpError::new(
            ErrorCode::NotFound,
            "Export as pdf or docx.",
        ));
    };
    let data = match state
        .services
        .battlecards()
        .export_data(&user, &id, query.published)
        .await
    {
        Ok(data) => data,
        Err(domain::Error::Unexpected(e)) => {
            tracing::error!(error = ?e, card.id = %id, "export failed");
            return Err(failed());
        }
        Err(refusal) => return Err(refusal.into()),
    };
    let doc = document(&data, format_time(now_ms()));
    let started = std::time::Instant::now();
    let built = tokio::task::spawn_blocking(move || match format {
        Format::Pdf => export::pdf(&doc),
        Format::Docx => export::docx(&doc),
    })
    .await;
    let bytes = match built {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(e)) => {
            tracing::error!(error = ?e, card.id = %id, "export failed");
            return Err(failed());
        }
        Err(e) => {
            tracing::error!(error = %e, card.id = %id, "export task failed");
            return Err(failed());
        }
    };
    tracing::info!(card.id = %id, bytes = bytes.len(), ms = started.elapsed().as_millis() as u64, "card exported");
    let stem = format!("{} {}", data.competitor, data.content.title);
    let filename = export::safe_filename(&stem, format.extension());
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.content_type()),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        bytes,
    )
        .into_response())
}
