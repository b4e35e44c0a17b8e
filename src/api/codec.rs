//! The protobuf codec of `webhook.v1`: prost's, with one change. A request
//! that does not decode (malformed bytes, a string that is not UTF-8) is
//! the caller's fault, so it gets INVALID_ARGUMENT with a MALFORMED_REQUEST
//! reason instead of prost's INTERNAL.

use std::marker::PhantomData;

use prost::Message;
use tonic::Status;
use tonic::codec::{Codec, DecodeBuf, Decoder};
use tonic_prost::{ProstCodec, ProstDecoder};

use crate::error::{ApiError, ErrorCode};
use crate::limits::reason;

/// Set as the codec of the generated service and client (`build.rs`).
#[derive(Debug, Clone, Default)]
pub struct ApiCodec<T, U> {
    inner: ProstCodec<T, U>,
    _types: PhantomData<(T, U)>,
}

impl<T, U> Codec for ApiCodec<T, U>
where
    T: Message + Send + 'static,
    U: Message + Default + Send + 'static,
{
    type Encode = T;
    type Decode = U;
    type Encoder = <ProstCodec<T, U> as Codec>::Encoder;
    type Decoder = ApiDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        self.inner.encoder()
    }

    fn decoder(&mut self) -> Self::Decoder {
        ApiDecoder(self.inner.decoder())
    }
}

/// Decodes like prost; decoding failures become INVALID_ARGUMENT.
#[derive(Debug)]
pub struct ApiDecoder<U>(ProstDecoder<U>);

impl<U: Message + Default> Decoder for ApiDecoder<U> {
    type Item = U;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<U>, Status> {
        self.0.decode(buf).map_err(|status| {
            ApiError::new(
                ErrorCode::InvalidArgument,
                format!(
                    "the request is not a valid protobuf message of its type: {}",
                    status.message()
                ),
            )
            .with_reason(reason::MALFORMED_REQUEST)
            .into()
        })
    }

    fn buffer_settings(&self) -> tonic::codec::BufferSettings {
        self.0.buffer_settings()
    }
}
