use anb_db::SqlMigration;

// Each player's vote count, kept by the database itself so that moving a player's score
// after a batch of votes reads one row instead of counting every vote they ever got (the
// count grew with the player's popularity and ran once per player per batch). Statement
// triggers with transition tables see a whole batch at once; they touch the tallies in
// owner order, so two batches that share players lock them in the same order and cannot
// deadlock. Vote rows are never updated, so inserts and deletes are all that move a count.
// The functions keep the service's schema as their search path, so an operator deleting
// votes from psql (another search path) still moves the tallies.
// The lock keeps a replica still running the old code from inserting between the backfill
// and the triggers (the migration runs in one transaction, which holds it until commit).
const UP: &str = r"
LOCK TABLE votes IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE player_tallies (
    owner_id uuid PRIMARY KEY,
    votes bigint NOT NULL CHECK (votes >= 0)
);

INSERT INTO player_tallies (owner_id, votes)
SELECT owner_id, count(*) FROM votes GROUP BY owner_id;

CREATE FUNCTION votes_tally_inserted() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO player_tallies AS tally (owner_id, votes)
    SELECT owner_id, count(*) FROM inserted GROUP BY owner_id ORDER BY owner_id
    ON CONFLICT (owner_id) DO UPDATE SET votes = tally.votes + excluded.votes;
    RETURN NULL;
END
$$;

CREATE FUNCTION votes_tally_deleted() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM 1 FROM player_tallies
    WHERE owner_id IN (SELECT owner_id FROM deleted) ORDER BY owner_id FOR UPDATE;
    UPDATE player_tallies AS tally SET votes = tally.votes - gone.votes
    FROM (SELECT owner_id, count(*) AS votes FROM deleted GROUP BY owner_id) AS gone
    WHERE tally.owner_id = gone.owner_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER votes_tally_insert AFTER INSERT ON votes
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION votes_tally_inserted();
CREATE TRIGGER votes_tally_delete AFTER DELETE ON votes
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION votes_tally_deleted();
";

const DOWN: &str = r"
DROP TRIGGER votes_tally_delete ON votes;
DROP TRIGGER votes_tally_insert ON votes;
DROP FUNCTION votes_tally_deleted();
DROP FUNCTION votes_tally_inserted();
DROP TABLE player_tallies;
";

/// Keeps each player's vote count in `player_tallies`.
pub const MIGRATION: SqlMigration = SqlMigration::new(file!(), UP, DOWN);
