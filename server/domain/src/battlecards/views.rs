//! Every view of a card is recorded (who, when) for analytics. The rep view is the
//! hottest page in the product, so views are queued in memory and written in batches
//! by one task instead of one INSERT per page view; `flush` waits until everything
//! queued so far is stored.
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use crate::store::Db;
use crate::time::now_ms;
use crate::types::{CardId, UserId};

/// One UTC day in milliseconds: views are also counted per card and day.
pub const DAY_MS: i64 = 24 * 3600 * 1000;
const BATCH: usize = 200;
const LINGER: Duration = Duration::from_millis(250);

enum Message {
    View {
        card_id: CardId,
        user_id: UserId,
        at: i64,
    },
    Flush(oneshot::Sender<()>),
}

#[derive(Clone)]
pub struct ViewRecorder {
    sender: mpsc::UnboundedSender<Message>,
}

impl ViewRecorder {
    /// Starts the writer task; it ends, after writing what is queued, once every
    /// recorder clone is dropped.
    pub fn start(db: Db) -> Self {
        let (sender, receiver) = mpsc::unbounded_channel();
        tokio::spawn(run(db, receiver));
        Self { sender }
    }

    pub fn record(&self, card_id: &CardId, user_id: &UserId) {
        let message = Message::View {
            card_id: card_id.clone(),
            user_id: user_id.clone(),
            at: now_ms(),
        };
        if self.sender.send(message).is_err() {
            tracing::warn!(
                card.id = %card_id,
                "view recorder stopped; a view was not recorded"
            );
        }
    }

    /// Waits until every view recorded before this call is in the database.
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.sender.send(Message::Flush(done)).is_ok() {
            let _ = wait.await;
        }
    }
}

async fn run(db: Db, mut receiver: mpsc::UnboundedReceiver<Message>) {
    let mut batch: Vec<(CardId, UserId, i64)> = Vec::new();
    let mut waiting: Vec<oneshot::Sender<()>> = Vec::new();
    let mut messages = Vec::with_capacity(BATCH);
    // Waits for the first view of a batch, then takes whatever else arrives within
    // LINGER (all that is queued at once, not one message per wake-up), until the batch
    // is full or a flush asks for it.
    while receiver.recv_many(&mut messages, BATCH).await > 0 {
        let deadline = tokio::time::Instant::now() + LINGER;
        loop {
            for message in messages.drain(..) {
                match message {
                    Message::View {
                        card_id,
                        user_id,
                        at,
                    } => batch.push((card_id, user_id, at)),
                    Message::Flush(done) => waiting.push(done),
                }
            }
            if batch.len() >= BATCH || !waiting.is_empty() {
                break;
            }
            let room = BATCH - batch.len();
            match tokio::time::timeout_at(deadline, receiver.recv_many(&mut messages, room)).await {
                Ok(n) if n > 0 => {}
                Ok(_) | Err(_) => break,
            }
        }
        if !batch.is_empty() {
            if let Err(e) = write(&db, &batch).await {
                tracing::error!(error = %e, views = batch.len(), "failed to record card views");
            }
            batch.clear();
        }
        for done in waiting.drain(..) {
            let _ = done.send(());
        }
    }
}

async fn write(db: &Db, batch: &[(CardId, UserId, i64)]) -> anyhow::Result<()> {
    let backend = db.backend();
    let sql = format!(
        "INSERT INTO card_views (card_id, user_id, viewed_at) VALUES {}",
        rows_of_three(backend, batch.len())
    );
    let mut query = sqlx::query(&sql);
    for (card_id, user_id, at) in batch {
        query = query.bind(card_id).bind(user_id).bind(*at);
    }
    let days = per_day(batch);
    let sql = format!(
        "INSERT INTO card_view_days (card_id, day, views) VALUES {} \
         ON CONFLICT (card_id, day) DO UPDATE SET views = card_view_days.views + excluded.views",
        rows_of_three(backend, days.len())
    );
    let mut add = sqlx::query(&sql);
    for ((card_id, day), views) in &days {
        add = add.bind(*card_id).bind(*day).bind(*views);
    }
    let mut tx = db.pool().begin().await?;
    query.execute(&mut *tx).await?;
    add.execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// `($1, $2, $3), ($4, $5, $6), …` for `rows` rows, in the backend's placeholders.
fn rows_of_three(backend: crate::store::Backend, rows: usize) -> String {
    (0..rows)
        .map(|i| {
            let [a, b, c] = [1, 2, 3].map(|k| backend.placeholder(i * 3 + k));
            format!("({a}, {b}, {c})")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The batch's views counted per card and UTC day.
fn per_day(batch: &[(CardId, UserId, i64)]) -> Vec<((&CardId, i64), i64)> {
    let mut days: Vec<((&CardId, i64), i64)> = Vec::new();
    for (card_id, _, at) in batch {
        let key = (card_id, at.div_euclid(DAY_MS));
        match days.iter_mut().find(|(k, _)| *k == key) {
            Some((_, views)) => *views += 1,
            None => days.push((key, 1)),
        }
    }
    days
}
