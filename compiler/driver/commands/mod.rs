//! One module per subcommand.
pub mod bench;
pub mod build;
pub mod check;
pub mod disasm;
pub mod run;
pub mod sim;
