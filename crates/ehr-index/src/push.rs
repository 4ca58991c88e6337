//! The webhook pusher: delivers queued notifications, each webhook's in order, retrying
//! a failed one with exponential backoff (1 s, 2 s, 4 s... at most 5 minutes apart) until
//! it has been failing for the configured time, when it goes to the dead-letter list
//! (`ehr index dead-letters`, replayed with `--replay`) and the next one is tried.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::store::{unix_now, Delivery, Store, Webhook};
use crate::webhook::{sign, DELIVERY_HEADER, SIGNATURE_HEADER};

/// How deliveries are made.
#[derive(Debug, Clone, Copy)]
pub struct PushSettings {
    /// How long a delivery is retried before it is dead-lettered.
    pub give_up_after: Duration,
    /// How long one POST may take.
    pub request_timeout: Duration,
}

impl Default for PushSettings {
    fn default() -> Self {
        PushSettings {
            give_up_after: Duration::from_secs(24 * 3600),
            request_timeout: Duration::from_secs(10),
        }
    }
}

/// The longest pause between two attempts.
const MAX_BACKOFF_SECS: i64 = 300;

/// Pushes until `stop` says so: a round after each block and every half second.
pub(crate) async fn run(
    store: Arc<Store>,
    settings: PushSettings,
    mut ingested: watch::Receiver<u64>,
    mut stop: watch::Receiver<bool>,
) {
    let client = match reqwest::Client::builder()
        .timeout(settings.request_timeout)
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            eprintln!("ehr index: webhooks disabled: cannot build an HTTP client: {e}");
            return;
        }
    };
    loop {
        if let Err(e) = round(&store, &client, &settings).await {
            eprintln!("ehr index: webhooks: {e}");
        }
        tokio::select! {
            _ = ingested.changed() => {}
            () = tokio::time::sleep(Duration::from_millis(500)) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

/// One pass over the due deliveries.
async fn round(
    store: &Store,
    client: &reqwest::Client,
    settings: &PushSettings,
) -> Result<(), crate::store::StoreError> {
    for (hook, delivery) in store.due_deliveries(unix_now())? {
        match deliver(client, &hook, &delivery).await {
            Ok(()) => store.delivered(delivery.seq)?,
            Err(error) => {
                let now = unix_now();
                let backoff = 1i64
                    .checked_shl(delivery.attempts.min(16))
                    .unwrap_or(MAX_BACKOFF_SECS)
                    .min(MAX_BACKOFF_SECS);
                let give_up = now - delivery.queued_at >= settings.give_up_after.as_secs() as i64;
                store.delivery_failed(delivery.seq, &error, now + backoff, give_up)?;
            }
        }
    }
    Ok(())
}

/// One POST; any answer but 2xx is a failure, named.
async fn deliver(
    client: &reqwest::Client,
    hook: &Webhook,
    delivery: &Delivery,
) -> Result<(), String> {
    let body = delivery.payload.as_bytes().to_vec();
    let number = delivery.seq.to_string();
    let answer = client
        .post(&hook.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(
            SIGNATURE_HEADER,
            sign(hook.secret.as_bytes(), unix_now(), &number, &body),
        )
        .header(DELIVERY_HEADER, &number)
        .body(body)
        .send()
        .await
        .map_err(|e| format!("POST {}: {e}", hook.url))?;
    if answer.status().is_success() {
        Ok(())
    } else {
        Err(format!("POST {}: answered {}", hook.url, answer.status()))
    }
}
