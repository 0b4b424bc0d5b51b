//! Wire format of the block-sync request-response protocol
//! (`/tributary/{chain_id}/blocks/1`): one borsh-encoded request, one
//! borsh-encoded response, each the whole of its stream.
//!
//! Both sides read at most their byte limit plus one: a peer that sends more
//! gets an `InvalidData` error (never an allocation of its choosing), and the
//! stream is dropped.

use std::io;

use borsh::{BorshDeserialize, BorshSerialize};
use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use libp2p::StreamProtocol;
use tributary_types::decode_bounded;

/// Ask for the blocks at heights `from_height..=to_height`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub(crate) struct BlocksRequest {
    pub(crate) from_height: u64,
    pub(crate) to_height: u64,
}

impl BlocksRequest {
    /// Number of heights asked for, or `None` when the range is reversed.
    pub(crate) fn count(&self) -> Option<u64> {
        self.to_height.checked_sub(self.from_height).and_then(|d| d.checked_add(1))
    }
}

/// Encoded blocks, lowest height first; possibly fewer than asked for.
pub(crate) type BlocksResponse = Vec<Vec<u8>>;

/// Keep the longest prefix of `blocks` within `max_blocks` and `max_bytes`,
/// counting bytes as borsh lays out a `Vec<Vec<u8>>`: a u32 count, then per
/// block a u32 length and the bytes.
pub(crate) fn truncate_response(mut blocks: BlocksResponse, max_blocks: u64, max_bytes: usize) -> BlocksResponse {
    let mut total = 4usize;
    let mut keep = 0usize;
    for block in &blocks {
        let next = total.saturating_add(4).saturating_add(block.len());
        if next > max_bytes || keep as u64 >= max_blocks {
            break;
        }
        total = next;
        keep += 1;
    }
    blocks.truncate(keep);
    blocks
}

#[derive(Debug, Clone)]
pub(crate) struct BlocksCodec {
    pub(crate) max_request_bytes: usize,
    pub(crate) max_response_bytes: usize,
    pub(crate) max_blocks: u64,
}

fn invalid(reason: impl ToString) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, reason.to_string())
}

async fn read_bounded<T: AsyncRead + Unpin + Send>(io: &mut T, max_bytes: usize) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    io.take(max_bytes as u64 + 1).read_to_end(&mut bytes).await?;
    if bytes.is_empty() {
        // The other side closed without a word (e.g. the node declined to
        // answer): not malformed, so no strike.
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "empty message"));
    }
    if bytes.len() > max_bytes {
        return Err(invalid(format!("message over the limit of {max_bytes} bytes")));
    }
    Ok(bytes)
}

async fn write_bounded<T: AsyncWrite + Unpin + Send>(io: &mut T, bytes: &[u8], max_bytes: usize) -> io::Result<()> {
    if bytes.len() > max_bytes {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "message over the limit"));
    }
    io.write_all(bytes).await
}

impl libp2p::request_response::Codec for BlocksCodec {
    type Protocol = StreamProtocol;
    type Request = BlocksRequest;
    type Response = BlocksResponse;

    async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<BlocksRequest>
    where
        T: AsyncRead + Unpin + Send,
    {
        let bytes = read_bounded(io, self.max_request_bytes).await?;
        decode_bounded("blocks request", &bytes, self.max_request_bytes).map_err(invalid)
    }

    async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<BlocksResponse>
    where
        T: AsyncRead + Unpin + Send,
    {
        let bytes = read_bounded(io, self.max_response_bytes).await?;
        let blocks: BlocksResponse =
            decode_bounded("blocks response", &bytes, self.max_response_bytes).map_err(invalid)?;
        if blocks.len() as u64 > self.max_blocks {
            return Err(invalid(format!("{} blocks, over the limit of {}", blocks.len(), self.max_blocks)));
        }
        Ok(blocks)
    }

    async fn write_request<T>(&mut self, _: &StreamProtocol, io: &mut T, request: BlocksRequest) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        let bytes = borsh::to_vec(&request)?;
        write_bounded(io, &bytes, self.max_request_bytes).await
    }

    async fn write_response<T>(&mut self, _: &StreamProtocol, io: &mut T, blocks: BlocksResponse) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        let bytes = borsh::to_vec(&blocks)?;
        write_bounded(io, &bytes, self.max_response_bytes).await
    }
}

/// Wire format of the direct-delivery protocol
/// (`/tributary/{chain_id}/private/1`): one opaque request, one opaque
/// answer, each the whole of its stream and bounded. The node gives the
/// bytes their meaning (a private payload and its receipt); this crate only
/// carries them over the noise-encrypted connection to the one peer named.
#[derive(Debug, Clone)]
pub(crate) struct DirectCodec {
    pub(crate) max_request_bytes: usize,
    pub(crate) max_response_bytes: usize,
}

impl libp2p::request_response::Codec for DirectCodec {
    type Protocol = StreamProtocol;
    type Request = Vec<u8>;
    type Response = Vec<u8>;

    async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Vec<u8>>
    where
        T: AsyncRead + Unpin + Send,
    {
        read_bounded(io, self.max_request_bytes).await
    }

    async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Vec<u8>>
    where
        T: AsyncRead + Unpin + Send,
    {
        read_bounded(io, self.max_response_bytes).await
    }

    async fn write_request<T>(&mut self, _: &StreamProtocol, io: &mut T, request: Vec<u8>) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_bounded(io, &request, self.max_request_bytes).await
    }

    async fn write_response<T>(&mut self, _: &StreamProtocol, io: &mut T, response: Vec<u8>) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_bounded(io, &response, self.max_response_bytes).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_counts_bytes_as_borsh_does() {
        let blocks = vec![vec![1u8; 10], vec![], vec![2u8; 3]];
        let exact = borsh::to_vec(&blocks).unwrap().len();
        assert_eq!(truncate_response(blocks.clone(), 10, exact).len(), 3);
        assert_eq!(truncate_response(blocks, 10, exact - 1).len(), 2);
    }

    #[test]
    fn truncation_keeps_a_prefix_within_both_limits() {
        let blocks = vec![vec![0u8; 100]; 10];
        assert_eq!(truncate_response(blocks.clone(), 3, usize::MAX).len(), 3);
        // 4 + 2 * 104 = 212 fits, a third block would need 316.
        assert_eq!(truncate_response(blocks.clone(), 100, 300).len(), 2);
        assert!(truncate_response(blocks, 100, 10).is_empty());
    }

    #[test]
    fn reversed_range_has_no_count() {
        assert_eq!(BlocksRequest { from_height: 5, to_height: 4 }.count(), None);
        assert_eq!(BlocksRequest { from_height: 5, to_height: 5 }.count(), Some(1));
        assert_eq!(BlocksRequest { from_height: 0, to_height: u64::MAX }.count(), None);
    }

    #[test]
    fn oversized_response_is_refused() {
        let mut codec = BlocksCodec { max_request_bytes: 64, max_response_bytes: 32, max_blocks: 4 };
        let bytes = borsh::to_vec(&vec![vec![0u8; 64]]).unwrap();
        let protocol = StreamProtocol::new("/test/1");
        let result = futures::executor::block_on(libp2p::request_response::Codec::read_response(
            &mut codec,
            &protocol,
            &mut futures::io::Cursor::new(bytes),
        ));
        assert_eq!(result.unwrap_err().kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn too_many_blocks_are_refused() {
        let mut codec = BlocksCodec { max_request_bytes: 64, max_response_bytes: 1024, max_blocks: 2 };
        let bytes = borsh::to_vec(&vec![vec![1u8]; 3]).unwrap();
        let protocol = StreamProtocol::new("/test/1");
        let result = futures::executor::block_on(libp2p::request_response::Codec::read_response(
            &mut codec,
            &protocol,
            &mut futures::io::Cursor::new(bytes),
        ));
        assert_eq!(result.unwrap_err().kind(), io::ErrorKind::InvalidData);
    }
}
