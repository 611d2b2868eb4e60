use std::collections::HashMap;

use fred::prelude::Value;

use crate::{TranscodeJob, queue::JOB_FIELD};

/// A stream entry as Redis returns it. Field names and values are kept binary so that one
/// foreign entry cannot fail the decoding of a whole reply.
pub(crate) type RawEntry = (String, HashMap<Vec<u8>, Value>);

/// The job stored in an entry's fields, or why there is none.
pub(crate) fn decode_job(fields: &HashMap<Vec<u8>, Value>) -> Result<TranscodeJob, String> {
    let value = fields
        .get(JOB_FIELD.as_bytes())
        .ok_or_else(|| format!("no `{JOB_FIELD}` field"))?;
    let text = value
        .as_str()
        .ok_or_else(|| format!("the `{JOB_FIELD}` field is not UTF-8 text"))?;
    serde_json::from_str(&text)
        .map_err(|err| format!("the `{JOB_FIELD}` field is not a job: {err}"))
}

/// The job field as text for the dead-letter record, whatever it holds.
pub(crate) fn raw_payload(fields: &HashMap<Vec<u8>, Value>) -> String {
    match fields.get(JOB_FIELD.as_bytes()) {
        Some(value) => match value.as_bytes() {
            Some(bytes) => String::from_utf8_lossy(bytes).into_owned(),
            None => value
                .as_str()
                .map(|text| text.into_owned())
                .unwrap_or_default(),
        },
        None => String::new(),
    }
}

/// One poison job kept for operators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// Id of the entry in the dead-letter stream.
    pub id: String,
    /// Id the job had in the job stream.
    pub entry_id: String,
    /// The job as it was enqueued (JSON), or the raw field of a malformed entry.
    pub payload: String,
    /// Why it was given up.
    pub reason: String,
    /// How many times it had been delivered.
    pub deliveries: u64,
    /// When it was given up, in milliseconds since the Unix epoch.
    pub failed_at_ms: u64,
}

impl DeadLetter {
    /// The job it holds, when the payload is one this version can run.
    pub fn job(&self) -> Option<TranscodeJob> {
        serde_json::from_str(&self.payload).ok()
    }

    pub(crate) fn from_raw((id, fields): RawEntry) -> Self {
        let text = |name: &str| {
            fields
                .get(name.as_bytes())
                .and_then(|value| value.as_str().map(|text| text.into_owned()))
                .unwrap_or_default()
        };
        let number = |name: &str| text(name).parse().unwrap_or_default();

        Self {
            entry_id: text("entry_id"),
            payload: text(JOB_FIELD),
            reason: text("reason"),
            deliveries: number("deliveries"),
            failed_at_ms: number("failed_at_ms"),
            id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, Value)]) -> HashMap<Vec<u8>, Value> {
        pairs
            .iter()
            .map(|(name, value)| (name.as_bytes().to_vec(), value.clone()))
            .collect()
    }

    #[test]
    fn a_job_field_with_job_json_decodes() {
        let json = r#"{"video_id":"0192f6a0-7c1e-7d2a-9b3c-4d5e6f708192","task_id":"0192f6a0-7c1e-7d2a-9b3c-4d5e6f708193"}"#;

        let job = decode_job(&fields(&[("job", Value::from(json))])).expect("valid job");

        assert_eq!(
            job.video_id.to_string(),
            "0192f6a0-7c1e-7d2a-9b3c-4d5e6f708192"
        );
        assert_eq!(job.traceparent, None);
    }

    #[test]
    fn entries_without_a_job_or_with_garbage_are_refused_with_a_reason() {
        let missing = decode_job(&fields(&[("other", Value::from("x"))]));
        let garbage = decode_job(&fields(&[("job", Value::from("not json"))]));
        let binary = decode_job(&fields(&[("job", Value::Bytes(vec![0xff, 0xfe].into()))]));

        assert_eq!(missing, Err("no `job` field".to_owned()));
        assert!(garbage.is_err_and(|reason| reason.starts_with("the `job` field is not a job")));
        assert_eq!(binary, Err("the `job` field is not UTF-8 text".to_owned()));
    }

    #[test]
    fn raw_payload_keeps_what_was_there_even_when_not_text() {
        assert_eq!(
            raw_payload(&fields(&[("job", Value::from("oops"))])),
            "oops"
        );
        assert_eq!(
            raw_payload(&fields(&[("job", Value::Bytes(vec![b'a', 0xff].into()))])),
            "a\u{fffd}"
        );
        assert_eq!(raw_payload(&fields(&[])), "");
    }
}
