//! With an allow-list, a node accepts the listed peers and refuses any other
//! once the handshake has proved who it is; the list can change at run time.

mod common;

use common::{config, connected_to, start, wait_until};
use tributary_p2p::peer_id_of;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permissioned_mode_refuses_peers_off_the_allow_list() {
    let (mut gate_config, gate_key) = config(20);
    let (mut member_config, member_key) = config(21);
    let (mut outsider_config, outsider_key) = config(22);

    // The allow-list is built from node public keys, as a node would from genesis.
    let member_id = peer_id_of(&member_key.public_key().0).unwrap();
    let gate_id = peer_id_of(&gate_key.public_key().0).unwrap();
    gate_config.allow_list = Some(vec![member_id]);
    let gate = start(gate_config, gate_key).await;
    assert_eq!(gate.id(), gate_id, "the peer id is bound to the node key");

    member_config.allow_list = Some(vec![gate_id]);
    member_config.bootstrap = vec![gate.addr.clone()];
    let member = start(member_config, member_key).await;
    assert_eq!(member.id(), member_id);

    outsider_config.bootstrap = vec![gate.addr.clone()];
    let outsider = start(outsider_config, outsider_key).await;
    let outsider_id = outsider.id();

    wait_until("the member connects", || connected_to(&gate.handle, &[member_id])).await;
    wait_until("the outsider is refused", || gate.handle.metrics().snapshot().connections_denied >= 1).await;
    assert!(!gate.handle.peers().contains(&outsider_id));
    // The outsider's connection attempt was closed, so it ends up with no peer.
    wait_until("the outsider sees the gate close", || outsider.handle.peers().is_empty()).await;
    assert_eq!(gate.handle.peers(), vec![member_id]);

    // The validator set changes: the outsider is let in (it redials its
    // bootstrap peer while alone), and the member, now unlisted, is cut off.
    gate.handle.set_allow_list(vec![outsider_id]).await.unwrap();
    wait_until("the member is cut off", || !gate.handle.peers().contains(&member_id)).await;
    wait_until("the outsider gets in", || connected_to(&gate.handle, &[outsider_id])).await;
    assert!(!gate.handle.peers().contains(&member_id));
    // Without an allow-list there is nothing to replace.
    assert!(outsider.handle.set_allow_list(vec![gate_id]).await.is_err());
}
