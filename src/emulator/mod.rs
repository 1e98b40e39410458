//! A loopback emulator of the Genesys Cloud OAuth-client API, for tests and the offline demo.
