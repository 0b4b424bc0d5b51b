//! Polls: a question, 2 to 16 options, a deadline, and a tally.
//!
//! Anyone creates a poll (`CreatePoll`); each account votes once
//! (`CastVote`) in any block up to and including `deadline_height`. The
//! tally is kept as votes arrive (`polls/tally/{id}/{option}`), so closing a
//! poll reads at most 16 numbers. At the end of block `deadline_height` the
//! poll is marked closed with its winning option(s) — every option with the
//! highest tally; none when nobody voted — and a `poll_closed` event is
//! emitted. End-block finds the polls to close through an index by deadline
//! height (`polls/deadline/{height}/…`), never by scanning polls.
//!
//! # Weight
//!
//! [`PollWeight::OnePerAccount`] counts each account as 1.
//! [`PollWeight::ByBalance`] weighs a vote by the voter's balance of a denom
//! **at the moment it votes** (a snapshot at vote time): a later change of
//! balance does not change the vote. The chain keeps no historical balances,
//! so the same tokens may vote twice if moved to another account between
//! votes; a poll that must prevent that should weigh by a token that cannot
//! move (e.g. a frozen asset) or one per account. An account with none of
//! the denom cannot vote (its vote would weigh nothing).

pub mod state_key;

#[cfg(test)]
mod tests;

use crate::bank::BankRead;
use crate::module::{check_text, Ctx, Module};
use crate::state::{read_value, write_value, Overlay, StateRead, StateReadError};
use crate::{sys_key, RuntimeError, TxError};
use borsh::{BorshDeserialize, BorshSerialize};
use tributary_types::{Address, Amount, Event, Genesis, PollWeight, Tx, TxBody};

/// Why a poll could not be created or a vote cast.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum PollError {
    #[error("a poll needs {min} to {max} options, got {got}")]
    PollOptionCount { got: usize, min: usize, max: usize },
    #[error("poll option {option:?} appears twice; options must differ")]
    DuplicatePollOption { option: String },
    #[error("deadline height {deadline} must be after the current height {current} and at most {max}")]
    PollDeadline { deadline: u64, current: u64, max: u64 },
    #[error("{max} polls already close at height {height}; pick another deadline")]
    PollDeadlineFull { height: u64, max: u32 },
    #[error("no poll {poll_id} exists on this chain")]
    UnknownPoll { poll_id: u64 },
    #[error("poll {poll_id} has options 0 to {last}; option {option} does not exist", last = options.saturating_sub(1))]
    UnknownPollOption { poll_id: u64, option: u32, options: usize },
    #[error("poll {poll_id} closed at height {deadline}: votes are taken up to and including that block")]
    PollClosed { poll_id: u64, deadline: u64 },
    #[error("{voter} already voted in poll {poll_id}; each account votes once")]
    AlreadyVoted { poll_id: u64, voter: Address },
    #[error("{voter} holds no {denom}, so its vote would weigh nothing; get some {denom} first")]
    NoVotingWeight { voter: Address, denom: String },
}

/// Longest question, in bytes.
pub const QUESTION_BYTES_MAX: usize = 512;
/// Longest option, in bytes.
pub const OPTION_BYTES_MAX: usize = 128;
/// Fewest and most options.
pub const OPTIONS_MIN: usize = 2;
pub const OPTIONS_MAX: usize = 16;
/// Furthest a deadline may be from the block that creates the poll.
pub const DEADLINE_BLOCKS_MAX: u64 = 1_000_000;
/// Most polls closing at one height: bounds one end-block's work.
pub const POLLS_PER_DEADLINE_MAX: u32 = 1024;
/// Most polls one [`polls`] call returns.
pub const POLLS_PAGE_MAX: usize = 100;

/// A poll, as stored at `polls/poll/{id}`.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Poll {
    pub id: u64,
    pub creator: Address,
    pub question: String,
    pub options: Vec<String>,
    /// Votes are taken up to and including this block; it closes at its end.
    pub deadline_height: u64,
    pub weight: PollWeight,
    pub created_height: u64,
    /// Accounts that voted.
    pub voters: u64,
    /// Sum of all votes' weights.
    pub weight_total: Amount,
    pub closed: bool,
    /// Once closed: the options with the highest tally, ascending (empty
    /// when nobody voted).
    pub winners: Vec<u32>,
}

/// One account's vote, as stored at `polls/ballot/{id}/{voter}`.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Ballot {
    pub option: u32,
    pub weight: Amount,
}

/// Poll `id`, if it exists.
pub fn poll(state: &dyn StateRead, id: u64) -> Result<Option<Poll>, StateReadError> {
    read_value(state, &state_key::poll(id))
}

/// How many polls were created (ids are `0..poll_count`).
pub fn poll_count(state: &dyn StateRead) -> Result<u64, StateReadError> {
    Ok(read_value(state, state_key::NEXT_ID)?.unwrap_or(0))
}

/// Poll `id`'s tally, one weight per option, if the poll exists.
pub fn tally(state: &dyn StateRead, id: u64) -> Result<Option<Vec<Amount>>, StateReadError> {
    let Some(p) = poll(state, id)? else { return Ok(None) };
    let mut out = Vec::with_capacity(p.options.len().min(OPTIONS_MAX));
    for option in 0..p.options.len().min(OPTIONS_MAX) as u32 {
        out.push(read_value(state, &state_key::tally(id, option))?.unwrap_or(0));
    }
    Ok(Some(out))
}

/// Up to `limit` (at most [`POLLS_PAGE_MAX`]) polls by id, from `from_id`.
pub fn polls(state: &dyn StateRead, from_id: u64, limit: usize) -> Result<Vec<Poll>, StateReadError> {
    let end = poll_count(state)?.min(from_id.saturating_add(limit.min(POLLS_PAGE_MAX) as u64));
    let mut out = Vec::new();
    for id in from_id..end {
        out.push(poll(state, id)?.ok_or_else(|| StateReadError(format!("polls/poll/{id} is missing")))?);
    }
    Ok(out)
}

/// How `voter` voted in poll `id`, if it did.
pub fn ballot(state: &dyn StateRead, id: u64, voter: &Address) -> Result<Option<Ballot>, StateReadError> {
    read_value(state, &state_key::ballot(id, voter))
}

fn current_height(state: &dyn StateRead) -> Result<u64, StateReadError> {
    Ok(read_value(state, sys_key::HEIGHT)?.unwrap_or(0))
}

/// How many polls close at `deadline` so far, if one more may.
fn check_create(state: &dyn StateRead, question: &str, options: &[String], deadline: u64) -> Result<u32, TxError> {
    check_text("poll question", question, QUESTION_BYTES_MAX, false)?;
    if !(OPTIONS_MIN..=OPTIONS_MAX).contains(&options.len()) {
        return Err(PollError::PollOptionCount { got: options.len(), min: OPTIONS_MIN, max: OPTIONS_MAX }.into());
    }
    for (i, option) in options.iter().enumerate() {
        check_text("poll option", option, OPTION_BYTES_MAX, false)?;
        if options[..i].contains(option) {
            return Err(PollError::DuplicatePollOption { option: option.clone() }.into());
        }
    }
    let current = current_height(state)?;
    let max = current.saturating_add(DEADLINE_BLOCKS_MAX);
    if deadline <= current || deadline > max {
        return Err(PollError::PollDeadline { deadline, current, max }.into());
    }
    let closing: u32 = read_value(state, &state_key::deadline_count(deadline))?.unwrap_or(0);
    if closing >= POLLS_PER_DEADLINE_MAX {
        return Err(PollError::PollDeadlineFull { height: deadline, max: POLLS_PER_DEADLINE_MAX }.into());
    }
    Ok(closing)
}

/// The poll and the vote's weight, if `voter` may vote `option`.
fn check_vote(state: &dyn StateRead, voter: &Address, poll_id: u64, option: u32) -> Result<(Poll, Amount), TxError> {
    let p = poll(state, poll_id)?.ok_or(PollError::UnknownPoll { poll_id })?;
    if p.closed || current_height(state)? > p.deadline_height {
        return Err(PollError::PollClosed { poll_id, deadline: p.deadline_height }.into());
    }
    if option as usize >= p.options.len() {
        return Err(PollError::UnknownPollOption { poll_id, option, options: p.options.len() }.into());
    }
    if ballot(state, poll_id, voter)?.is_some() {
        return Err(PollError::AlreadyVoted { poll_id, voter: *voter }.into());
    }
    let weight = match &p.weight {
        PollWeight::OnePerAccount => 1,
        PollWeight::ByBalance { denom } => match state.balance(voter, denom)? {
            0 => return Err(PollError::NoVotingWeight { voter: *voter, denom: denom.to_string() }.into()),
            held => held,
        },
    };
    Ok((p, weight))
}

/// The options with the highest non-zero tally, ascending.
fn winners(tallies: &[Amount]) -> Vec<u32> {
    let best = tallies.iter().copied().max().unwrap_or(0);
    if best == 0 {
        return Vec::new();
    }
    tallies.iter().enumerate().filter(|(_, t)| **t == best).map(|(i, _)| i as u32).collect()
}

/// The polls module. It has no parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct Polls;

impl Polls {
    fn create(ctx: &mut Ctx<'_, '_>, creator: Address, body: &TxBody) -> Result<(), TxError> {
        let TxBody::CreatePoll { question, options, deadline_height, weight } = body else {
            return Err(TxError::Unhandled(body.kind()));
        };
        let closing = check_create(&*ctx.state, question, options, *deadline_height)?;
        let id = poll_count(&*ctx.state)?;
        let record = Poll {
            id,
            creator,
            question: question.clone(),
            options: options.clone(),
            deadline_height: *deadline_height,
            weight: weight.clone(),
            created_height: ctx.block.height,
            voters: 0,
            weight_total: 0,
            closed: false,
            winners: Vec::new(),
        };
        write_value(ctx.state, state_key::poll(id), &record);
        write_value(ctx.state, state_key::NEXT_ID.to_vec(), &id.checked_add(1).ok_or(TxError::Overflow)?);
        write_value(ctx.state, state_key::deadline(*deadline_height, closing), &id);
        write_value(ctx.state, state_key::deadline_count(*deadline_height), &(closing + 1));
        ctx.events.push(
            Event::new("create_poll")
                .attr("poll_id", id)
                .attr("creator", creator)
                .attr("deadline_height", deadline_height),
        );
        Ok(())
    }

    fn vote(ctx: &mut Ctx<'_, '_>, voter: Address, poll_id: u64, option: u32) -> Result<(), TxError> {
        let (mut p, weight) = check_vote(&*ctx.state, &voter, poll_id, option)?;
        let key = state_key::tally(poll_id, option);
        let tally: Amount = read_value(&*ctx.state, &key)?.unwrap_or(0);
        write_value(ctx.state, key, &tally.checked_add(weight).ok_or(TxError::Overflow)?);
        p.voters = p.voters.checked_add(1).ok_or(TxError::Overflow)?;
        p.weight_total = p.weight_total.checked_add(weight).ok_or(TxError::Overflow)?;
        write_value(ctx.state, state_key::poll(poll_id), &p);
        write_value(ctx.state, state_key::ballot(poll_id, &voter), &Ballot { option, weight });
        ctx.events.push(
            Event::new("cast_vote")
                .attr("poll_id", poll_id)
                .attr("voter", voter)
                .attr("option", option)
                .attr("weight", weight),
        );
        Ok(())
    }

    /// Close every poll whose deadline is this block, then drop the index.
    fn close_due(ctx: &mut Ctx<'_, '_>) -> Result<(), RuntimeError> {
        let height = ctx.block.height;
        let count: u32 = read_value(&*ctx.state, &state_key::deadline_count(height))?.unwrap_or(0);
        for index in 0..count.min(POLLS_PER_DEADLINE_MAX) {
            let key = state_key::deadline(height, index);
            let id: u64 = read_value(&*ctx.state, &key)?
                .ok_or_else(|| RuntimeError::Invariant(format!("{} is missing", String::from_utf8_lossy(&key))))?;
            let mut p = poll(&*ctx.state, id)?
                .ok_or_else(|| RuntimeError::Invariant(format!("poll {id} closes at {height} but is missing")))?;
            let tallies = tally(&*ctx.state, id)?.unwrap_or_default();
            p.winners = winners(&tallies);
            p.closed = true;
            write_value(ctx.state, state_key::poll(id), &p);
            ctx.state.delete(key);
            let listed: Vec<String> = p.winners.iter().map(u32::to_string).collect();
            ctx.events.push(
                Event::new("poll_closed")
                    .attr("poll_id", id)
                    .attr("winners", listed.join(","))
                    .attr("winning_weight", tallies.iter().copied().max().unwrap_or(0))
                    .attr("voters", p.voters)
                    .attr("weight_total", p.weight_total),
            );
        }
        if count > 0 {
            ctx.state.delete(state_key::deadline_count(height));
        }
        Ok(())
    }
}

impl Module for Polls {
    fn name(&self) -> &'static str {
        "polls"
    }

    fn init_genesis(&self, _state: &mut Overlay<'_>, _genesis: &Genesis) -> Result<(), RuntimeError> {
        Ok(())
    }

    fn end_block(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), RuntimeError> {
        Polls::close_due(ctx)
    }

    fn handles(&self, body: &TxBody) -> bool {
        matches!(body, TxBody::CreatePoll { .. } | TxBody::CastVote { .. })
    }

    fn validate_tx(&self, state: &Overlay<'_>, tx: &Tx) -> Result<(), TxError> {
        match &tx.body {
            TxBody::CreatePoll { question, options, deadline_height, .. } => {
                check_create(state, question, options, *deadline_height).map(|_| ())
            }
            TxBody::CastVote { poll_id, option } => {
                check_vote(state, &tx.sender_address(), *poll_id, *option).map(|_| ())
            }
            _ => Err(TxError::Unhandled(tx.body.kind())),
        }
    }

    fn execute_tx(&self, ctx: &mut Ctx<'_, '_>, tx: &Tx) -> Result<(), TxError> {
        match &tx.body {
            body @ TxBody::CreatePoll { .. } => Polls::create(ctx, tx.sender_address(), body),
            TxBody::CastVote { poll_id, option } => Polls::vote(ctx, tx.sender_address(), *poll_id, *option),
            _ => Err(TxError::Unhandled(tx.body.kind())),
        }
    }
}
