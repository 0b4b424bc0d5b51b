-- The gateway's history in PostgreSQL (`hub gateway --postgres URL`).
--
-- The gateway follows every chain's finalized blocks and writes each batch
-- of blocks with every row they give in ONE transaction, together with the
-- chain's `indexed_height`: after a crash, a restart or a database outage
-- the tables hold whole blocks 1..=indexed_height and nothing above, so
-- following resumes at indexed_height + 1 with no gap and no row twice.
-- Primary keys make a second copy of a row an error, never a duplicate.
--
-- Heights are BIGINT (u64 heights fit below 2^63 for 10^10 years of 20 ms
-- blocks); `idx` is a transaction's index in its block; `position` is an
-- event's index in its transaction's receipt (or in the block's own events
-- when idx = -1). Amounts are NUMERIC(39, 0): a u128 in full.

CREATE TABLE IF NOT EXISTS tributary_history_schema (
    version INT NOT NULL
);

-- One row per chain followed: how far its history is complete.
CREATE TABLE IF NOT EXISTS chains (
    chain_id        TEXT PRIMARY KEY,
    indexed_height  BIGINT NOT NULL,
    -- The hash of block `indexed_height`: the next block must name it as
    -- its parent, or following stops (a chain reset under the same id).
    last_hash       TEXT
);

CREATE TABLE IF NOT EXISTS blocks (
    chain_id   TEXT NOT NULL,
    height     BIGINT NOT NULL,
    hash       TEXT NOT NULL,
    time_ms    BIGINT NOT NULL,
    proposer   TEXT NOT NULL,
    tx_count   INT NOT NULL,
    PRIMARY KEY (chain_id, height)
);

-- Each committed transaction, with the node's whole view of it (the
-- GraphQL `Tx` object, receipt and events included) in `view`.
CREATE TABLE IF NOT EXISTS txs (
    chain_id   TEXT NOT NULL,
    height     BIGINT NOT NULL,
    idx        INT NOT NULL,
    hash       TEXT NOT NULL,
    sender     TEXT NOT NULL,
    kind       TEXT NOT NULL,
    success    BOOLEAN NOT NULL,
    view       JSONB NOT NULL,
    PRIMARY KEY (chain_id, height, idx)
);
CREATE INDEX IF NOT EXISTS txs_by_hash ON txs (hash);
CREATE INDEX IF NOT EXISTS txs_by_kind ON txs (chain_id, kind, height DESC, idx DESC);

-- Every address a transaction touches (the node's `Tx.addresses`: its
-- sender, its body's addresses, every event value that is an address):
-- an address's history is a range of this table's primary key.
CREATE TABLE IF NOT EXISTS tx_addresses (
    chain_id   TEXT NOT NULL,
    address    TEXT NOT NULL,
    height     BIGINT NOT NULL,
    idx        INT NOT NULL,
    PRIMARY KEY (chain_id, address, height, idx)
);

CREATE TABLE IF NOT EXISTS events (
    chain_id    TEXT NOT NULL,
    height      BIGINT NOT NULL,
    idx         INT NOT NULL,
    position    INT NOT NULL,
    kind        TEXT NOT NULL,
    attributes  JSONB NOT NULL,
    PRIMARY KEY (chain_id, height, idx, position)
);
CREATE INDEX IF NOT EXISTS events_by_kind ON events (chain_id, kind, height DESC);

-- Value moved by a transaction: a transfer on the chain, or the sending
-- side of a cross-chain one (`recipient` on the other chain).
CREATE TABLE IF NOT EXISTS transfers (
    chain_id    TEXT NOT NULL,
    height      BIGINT NOT NULL,
    idx         INT NOT NULL,
    kind        TEXT NOT NULL,
    sender      TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    denom       TEXT NOT NULL,
    amount      NUMERIC(39, 0) NOT NULL,
    channel     TEXT,
    PRIMARY KEY (chain_id, height, idx)
);
CREATE INDEX IF NOT EXISTS transfers_by_denom ON transfers (chain_id, denom, height DESC);

-- Each hop of an IBC packet: an event naming a channel and a sequence
-- (sent, received, acknowledged, timed out), on the chain it happened on;
-- an event naming both ends' channels gives a row for each.
-- A cross-chain transfer's path is its packet's rows across chains.
CREATE TABLE IF NOT EXISTS packet_hops (
    chain_id    TEXT NOT NULL,
    height      BIGINT NOT NULL,
    idx         INT NOT NULL,
    position    INT NOT NULL,
    kind        TEXT NOT NULL,
    channel     TEXT NOT NULL,
    sequence    BIGINT NOT NULL,
    PRIMARY KEY (chain_id, height, idx, position, channel)
);
CREATE INDEX IF NOT EXISTS packet_hops_by_packet ON packet_hops (channel, sequence);
