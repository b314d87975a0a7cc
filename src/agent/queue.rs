//! The two queues the agent talks to, behind a trait so tests can use an in-memory fake.

use crate::sqs::{Message, Sqs, SqsError};

/// The command queue (receive, delete, visibility) and the response queue (send).
pub trait Queue: Send + Sync {
    /// Long-poll commands.
    fn receive(&self, max: u32, wait_s: u32, visibility_s: u32) -> Result<Vec<Message>, SqsError>;
    /// Send a response; FIFO queues use `group` and `dedup`.
    fn send(&self, body: &str, group: &str, dedup: &str) -> Result<(), SqsError>;
    /// Delete a handled command.
    fn delete(&self, receipt: &str) -> Result<(), SqsError>;
    /// Change a command's visibility.
    fn change_visibility(&self, receipt: &str, secs: u32) -> Result<(), SqsError>;
    /// The largest response message the response queue takes now, read afresh (`None`:
    /// unknown). Asked after a size refusal: the limit may have been lowered at run time.
    fn response_limit(&self) -> Result<Option<usize>, SqsError> {
        Ok(None)
    }
}

/// Room SQS's own accounting takes from `MaximumMessageSize`.
const SIZE_MARGIN: usize = 512;

/// The real queues over SQS.
pub struct SqsQueues {
    /// The client.
    pub sqs: Sqs,
    /// Command queue URL.
    pub commands: String,
    /// Response queue URL.
    pub responses: String,
}

impl Queue for SqsQueues {
    fn receive(&self, max: u32, wait_s: u32, visibility_s: u32) -> Result<Vec<Message>, SqsError> {
        self.sqs.receive(&self.commands, max, wait_s, visibility_s)
    }

    fn send(&self, body: &str, group: &str, dedup: &str) -> Result<(), SqsError> {
        let fifo = self.responses.ends_with(".fifo");
        let (fgroup, fdedup) = fifo_ids(group, dedup);
        let message_id = self.sqs.send(
            &self.responses,
            body,
            fifo.then_some((fgroup.as_str(), fdedup.as_str())),
        )?;
        // One line per message sent: with the receiver's own record of MessageIds, a loss is
        // placed on one side of the queue by evidence (the key names the command, answer and
        // part; no body, no credential).
        log::debug!("sent {dedup} as SQS MessageId {message_id}");
        Ok(())
    }

    fn delete(&self, receipt: &str) -> Result<(), SqsError> {
        self.sqs.delete(&self.commands, receipt)
    }

    fn change_visibility(&self, receipt: &str, secs: u32) -> Result<(), SqsError> {
        self.sqs.change_visibility(&self.commands, receipt, secs)
    }

    fn response_limit(&self) -> Result<Option<usize>, SqsError> {
        let raw = self.sqs.attribute(&self.responses, "MaximumMessageSize")?;
        Ok(raw
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|n| *n >= 1024)
            .map(|n| n - SIZE_MARGIN))
    }
}

/// The FIFO message group of a command id: the part before the first `:` (so ids like
/// `session-7:cmd-3` keep one session's results in order), else the whole id.
pub fn group_of(id: &str) -> &str {
    id.split(':').next().filter(|g| !g.is_empty()).unwrap_or(id)
}

/// The `MessageGroupId` and `MessageDeduplicationId` sent for `group` and `dedup`: both are
/// limited to SQS's characters and 128 characters (a group is an echoed command id, which
/// may be longer when it is invalid).
pub fn fifo_ids(group: &str, dedup: &str) -> (String, String) {
    (dedup_id(&fifo_safe(group)), dedup_id(&fifo_safe(dedup)))
}

/// A FIFO group or deduplication id SQS accepts: its characters are alphanumerics and
/// ASCII punctuation; anything else (an echoed invalid command id) becomes `_`.
pub fn fifo_safe(key: &str) -> String {
    let s: String = key
        .chars()
        .map(|c| if c.is_ascii_graphic() { c } else { '_' })
        .collect();
    if s.is_empty() { "_".to_string() } else { s }
}

/// A deduplication id within SQS's 128 characters (long ids keep a prefix and a hash).
pub fn dedup_id(key: &str) -> String {
    if key.len() <= 128 {
        return key.to_string();
    }
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    format!("{}~{hash:016x}", &key[..100])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_and_dedup_ids() {
        assert_eq!(group_of("session-7:cmd-3"), "session-7");
        assert_eq!(group_of("plain"), "plain");
        assert_eq!(group_of(":x"), ":x");
        assert_eq!(fifo_safe("edge bad id"), "edge_bad_id");
        assert_eq!(fifo_safe(""), "_");
        let long = "a".repeat(130);
        let d = dedup_id(&format!("{long}.1"));
        assert!(d.len() <= 128);
        assert_ne!(d, dedup_id(&format!("{long}.2")));
    }
}
