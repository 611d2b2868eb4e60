//! What operators do with dead letters: page through them, read one, and send one back to
//! the job stream once its cause is fixed.

use fred::prelude::{LuaInterface as _, StreamsInterface as _};

use crate::{
    Error, JobQueue,
    entry::{DeadLetter, RawEntry},
    queue::JOB_FIELD,
};

/// Moves one dead letter back to the job stream in one step, so a crash or a second
/// operator can neither lose the job nor queue it twice. Returns the new entry id, or nil
/// when the dead letter is gone (already re-driven).
const MOVE_BACK: &str = r"
local found = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #found == 0 then return false end
local fields = found[1][2]
for i = 1, #fields, 2 do
  if fields[i] == ARGV[2] then
    local id = redis.call('XADD', KEYS[2], '*', ARGV[2], fields[i + 1])
    redis.call('XDEL', KEYS[1], ARGV[1])
    return id
  end
end
return false
";

impl JobQueue {
    /// Up to `count` dead letters, oldest first, starting after the dead letter `after`
    /// (from the beginning when `None`).
    ///
    /// # Errors
    /// When Redis is unreachable or `after` is not a stream id.
    pub async fn dead_letters_after(
        &self,
        after: Option<&str>,
        count: u64,
    ) -> Result<Vec<DeadLetter>, Error> {
        let start = after.map_or_else(|| "-".to_owned(), |id| format!("({id}"));
        let entries: Vec<RawEntry> = self
            .client()
            .xrange_values(&self.names().dead_letters, start, "+", Some(count))
            .await?;
        Ok(entries.into_iter().map(DeadLetter::from_raw).collect())
    }

    /// The dead letter with id `id`, if there is one.
    ///
    /// # Errors
    /// When Redis is unreachable or `id` is not a stream id.
    pub async fn dead_letter_by_id(&self, id: &str) -> Result<Option<DeadLetter>, Error> {
        let mut entries: Vec<RawEntry> = self
            .client()
            .xrange_values(&self.names().dead_letters, id, id, Some(1))
            .await?;
        Ok(entries.pop().map(DeadLetter::from_raw))
    }

    /// Sends the dead letter `id` back to the job stream as a new entry, whose id is
    /// returned; `None` when there is no such dead letter. Its job starts again with a
    /// fresh delivery count.
    ///
    /// # Errors
    /// [`Error::Malformed`] when the dead letter does not hold a job this version can run
    /// (it stays where it is); otherwise when Redis is unreachable.
    pub async fn redrive(&self, id: &str) -> Result<Option<String>, Error> {
        let Some(letter) = self.dead_letter_by_id(id).await? else {
            return Ok(None);
        };
        if letter.job().is_none() {
            return Err(Error::Malformed {
                id: id.to_owned(),
                reason: format!("the `{JOB_FIELD}` field is not a job"),
            });
        }

        let names = self.names();
        let moved: Option<String> = self
            .client()
            .eval(
                MOVE_BACK,
                vec![names.dead_letters.clone(), names.stream.clone()],
                vec![id.to_owned(), JOB_FIELD.to_owned()],
            )
            .await?;
        Ok(moved)
    }
}
