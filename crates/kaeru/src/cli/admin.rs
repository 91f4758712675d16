//! `kaeru token` and `kaeru company`: API tokens of a company, and the companies of the install.

use super::{CompanyCommand, MailArgs, TokenCommand, TokenScopeArg, config};
use anyhow::Context;
use kaeru::open_database;
use kaeru_domain::{CompanySettings, Slug};
use std::path::PathBuf;

pub(super) async fn token(
    config_file: &Option<PathBuf>,
    command: TokenCommand,
) -> anyhow::Result<()> {
    let (db, company) = match &command {
        TokenCommand::Create { db, company, .. }
        | TokenCommand::List { db, company }
        | TokenCommand::Revoke { db, company, .. } => (db.clone(), company.clone()),
    };
    let config = config(config_file, db, None, None, None, MailArgs::default())?;
    let database = open_database(&config.database_target()?).await?;
    let company = kaeru::exchange::company(&database, company.as_deref()).await?;
    let scope = kaeru_store::Scope::for_company(company.id);
    let actor = kaeru_store::Actor::system("kaeru token");
    match command {
        TokenCommand::Create { scope: s, name, .. } => {
            let draft = kaeru_domain::TokenInput {
                name,
                scope: match s {
                    TokenScopeArg::Read => "read".into(),
                    TokenScopeArg::Write => "write".into(),
                },
            }
            .parse()
            .map_err(|e| {
                let t = kaeru_app::Catalog::get(company.default_language);
                anyhow::anyhow!(
                    "{}",
                    e.0.iter()
                        .map(|(f, i)| format!("--{f}: {}", t.t(i.key)))
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            })?;
            let (token, secret) =
                kaeru_store::api_tokens::create(&database, &scope, &actor, &draft).await?;
            eprintln!(
                "{} ({}, {}): shown only now, keep it safe",
                token.name,
                token.scope.code(),
                token.id
            );
            println!("{secret}");
        }
        TokenCommand::List { .. } => {
            for t in kaeru_store::api_tokens::list(&database, &scope).await? {
                println!(
                    "{}\t{}\t{}\tkaeru_…{}\t{}\t{}",
                    t.id,
                    t.scope.code(),
                    t.name,
                    t.hint,
                    t.created_at.format("%Y-%m-%d %H:%M"),
                    t.revoked_at
                        .map(|r| format!("revoked {}", r.format("%Y-%m-%d %H:%M")))
                        .unwrap_or_else(|| "active".into())
                );
            }
        }
        TokenCommand::Revoke { id, .. } => {
            let t = kaeru_store::api_tokens::revoke(&database, &scope, &actor, id)
                .await
                .map_err(|e| match e {
                    kaeru_store::StoreError::NotFound => {
                        anyhow::anyhow!("no token {id} in {}", company.slug)
                    }
                    other => other.into(),
                })?;
            println!("revoked {} ({})", t.name, t.id);
        }
    }
    Ok(())
}

pub(super) async fn company(
    config_file: &Option<PathBuf>,
    command: CompanyCommand,
) -> anyhow::Result<()> {
    match command {
        CompanyCommand::Add {
            db,
            name,
            slug,
            owner_email,
            owner_name,
            owner_password,
            language,
        } => {
            let config = config(config_file, db, None, None, None, MailArgs::default())?;
            let database = open_database(&config.database_target()?).await?;
            let slug = Slug::parse(&slug).map_err(|_| {
                anyhow::anyhow!("the company ID must be 2–40 lower-case letters, digits or hyphens")
            })?;
            let settings = CompanySettings::parse(&name, "Asia/Tokyo", &language, |_| true)
                .map_err(|e| {
                    anyhow::anyhow!(
                        "invalid company settings: {:?}",
                        e.0.keys().collect::<Vec<_>>()
                    )
                })?;
            let email = kaeru_domain::validation::email(&owner_email)
                .map_err(|_| anyhow::anyhow!("the owner's email address is not valid"))?;
            let password =
                kaeru_domain::staff::parse_new_password(&owner_password).map_err(|_| {
                    anyhow::anyhow!("the owner's password needs at least 10 characters")
                })?;
            let owner = kaeru_store::companies::NewOwner {
                email,
                display_name: owner_name,
                password_hash: kaeru_app::passwords::hash_password(password).await?,
            };
            let (company, _) =
                kaeru_store::companies::create_with_owner(&database, &slug, &settings, owner)
                    .await
                    .context("the company could not be created (is the company ID taken?)")?;
            println!("Company {} ({}) created.", company.name, company.slug);
            Ok(())
        }
        CompanyCommand::List { db } => {
            let config = config(config_file, db, None, None, None, MailArgs::default())?;
            let database = open_database(&config.database_target()?).await?;
            for c in kaeru_store::companies::all(&database).await? {
                println!("{}\t{}\t{}", c.slug, c.name, c.time_zone);
            }
            Ok(())
        }
    }
}
