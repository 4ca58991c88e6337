//! Progress bars for long transfers (a large record sealed into a store, or downloaded
//! and decrypted), on standard error, through `indicatif`. Nothing is drawn when standard
//! error is not a terminal or the output is JSON, so scripts and logs see no bar.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar for `what`, over `total` bytes when known (else a running count with the rate).
pub fn bar(what: &str, total: Option<u64>, quiet: bool) -> ProgressBar {
    let target = if quiet {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let (bar, template) = match total {
        Some(total) => (
            ProgressBar::with_draw_target(Some(total), target),
            "  {msg} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
        ),
        None => (
            ProgressBar::with_draw_target(None, target),
            "  {msg} {bytes} {binary_bytes_per_sec}",
        ),
    };
    let style = ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(what.to_string());
    bar
}

/// The bars of a staged upload: sealing into the staging file, then one upload bar per
/// store, which starts at the bytes already stored when the upload resumes.
pub struct UploadBars {
    sealing: ProgressBar,
    uploading: std::sync::Mutex<Option<ProgressBar>>,
    quiet: bool,
}

impl UploadBars {
    /// The bars for sealing `plain_len` bytes, then uploading them.
    pub fn new(plain_len: u64, quiet: bool) -> Self {
        UploadBars {
            sealing: bar("sealing", Some(plain_len), quiet),
            uploading: std::sync::Mutex::new(None),
            quiet,
        }
    }

    /// The sealing bar (to wrap the plaintext's reader).
    pub fn sealing(&self) -> &ProgressBar {
        &self.sealing
    }

    /// Shows `event`; a resumed upload also says where it resumes on a line of its own.
    pub fn show(&self, event: ehr_sdk::ehr::upload::UploadEvent) {
        use ehr_sdk::ehr::upload::UploadEvent;
        let mut uploading = self
            .uploading
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match event {
            UploadEvent::Started {
                store,
                done,
                total,
                resumable,
            } => {
                self.sealing.finish_and_clear();
                if let Some(old) = uploading.take() {
                    old.finish_and_clear();
                }
                let what = if done > 0 {
                    format!("resuming upload at {done} of {total} bytes to {store}")
                } else {
                    format!("uploading to {store}")
                };
                if !self.quiet {
                    if done > 0 {
                        eprintln!("  {what}");
                    }
                    if !resumable {
                        eprintln!(
                            "  {store} cannot resume an upload: if this is interrupted, its upload starts over"
                        );
                    }
                }
                let upload = bar(&what, Some(total), self.quiet);
                upload.set_position(done);
                *uploading = Some(upload);
            }
            UploadEvent::Sent { done } => {
                if let Some(upload) = uploading.as_ref() {
                    upload.set_position(done);
                }
            }
        }
    }

    /// Clears every bar.
    pub fn finish(&self) {
        self.sealing.finish_and_clear();
        let uploading = self
            .uploading
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(upload) = uploading.as_ref() {
            upload.finish_and_clear();
        }
    }
}
