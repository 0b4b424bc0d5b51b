//! Governance by the chain's validators ([`tributary_types::governance`]):
//! count the power behind a message's approvals and require more than 2/3.

use crate::state::{StateRead, StateReadError};
use tributary_types::block::Validator;
use tributary_types::governance::Approval;

/// The validators whose approval counts: the staking module's active set on
/// a chain that runs staking (the hub), the committee on a child chain.
pub fn validators(state: &dyn StateRead, uses_staking: bool) -> Result<Vec<Validator>, StateReadError> {
    if uses_staking {
        crate::staking::active_set(state)
    } else {
        crate::committee::active_set(state)
    }
}

/// Check that `approvals` of `message` carry more than 2/3 of `validators`'
/// power. Approvals from others are ignored and each validator counts once;
/// one that does not verify refuses the whole (a forged approval is an error
/// to report, not noise). The error says why, for the receipt.
pub fn check_approvals(validators: &[Validator], message: &[u8], approvals: &[Approval]) -> Result<(), String> {
    let total: u128 = validators.iter().map(|v| u128::from(v.power)).sum();
    let mut approved: u128 = 0;
    let mut seen = std::collections::BTreeSet::new();
    for approval in approvals.iter().take(1_024) {
        let Some(validator) = validators.iter().find(|v| v.public_key == approval.validator) else { continue };
        if !seen.insert(approval.validator) {
            continue;
        }
        if tributary_crypto::verify(&approval.validator, message, &approval.signature).is_err() {
            return Err(format!("the approval of {} does not verify", approval.validator.address()));
        }
        approved += u128::from(validator.power);
    }
    if total == 0 || approved * 3 <= total * 2 {
        return Err(format!("approvals carry {approved} of {total} validator power; more than 2/3 is needed"));
    }
    Ok(())
}
