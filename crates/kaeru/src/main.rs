//! `kaeru`: the command line. Parses the arguments, sets up logging and runs the command (see `cli`).

mod cli;

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = cli::Cli::parse();
    cli::init_logging(&cli.log_format);
    cli::run(cli).await
}
