//! The Genesys Cloud Platform API client: the client-credentials token and the six OAuth-client
//! endpoints, with retries, timeouts and errors that name the permission a call needs.

mod client;
mod error;
mod model;
mod retry;

pub use client::{Credentials, GenesysClient};
pub use error::{ApiError, ErrorKind, Op};
pub use model::{ClientRequest, OAuthClient, RoleDivision};
pub use retry::RetryPolicy;
