"""The `medisynth` command line: parse options, then call into generator/ or sandbox/.

Thin on purpose: every command's work lives in the package that owns it. Errors the
user can fix (bad profile, missing directory, …) are raised as `UserError` subclasses
and printed here as one line, never as a traceback.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from dataset_contract import DatasetError
from generator.errors import UserError

DEFAULT_DB = "output/sandbox.db"


def _db_option(f):
    return click.option(
        "--db",
        "db",
        type=click.Path(dir_okay=False, path_type=Path),
        default=lambda: os.environ.get("MEDISYNTH_DB", DEFAULT_DB),
        show_default=f"$MEDISYNTH_DB or {DEFAULT_DB}",
        help="SQLite file of the sandbox store.",
    )(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="medisynth")
def cli():
    """Synthetic Medicare claims as Blue Button 2.0 FHIR, and a local Blue Button sandbox."""


@cli.command()
@click.option("--profile", default="default", show_default=True,
              help="Profile name (profiles/NAME.yaml) or path to a YAML file.")
@click.option("-n", "--beneficiaries", type=click.IntRange(min=1), default=1000, show_default=True,
              help="How many beneficiaries.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Random seed.")
@click.option("--start", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Period start (default: the profile's).")
@click.option("--end", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Period end (default: the profile's).")
@click.option("--out", default=None,
              help="Output directory, or an fsspec URL such as s3://bucket/prefix (needs fsspec and s3fs) [default: "
                   "output/<profile>-<n>-s<seed>].")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Worker processes [default: one per core].")
@click.option("--format", "fmt", type=click.Choice(["ndjson", "bundles", "both"]), default="ndjson", show_default=True)
@click.option("--gzip", "gzip_", is_flag=True, help="Write .ndjson.gz files.")
@click.option("--force", is_flag=True, help="Overwrite a non-empty output directory.")
@click.option("--resume", is_flag=True, help="Finish an interrupted run of the same command.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Run shards in local processes or as Dask tasks (pip install medisynth[dask]).")
@click.option("--scheduler", default=None,
              help="Dask scheduler address (tcp://HOST:8786) [default: a local Dask cluster]; --out must be shared "
                   "with its workers.")
@click.option("--rif", is_flag=True,
              help="Also write the claims as CMS CCW/RIF research files under rif/ (beneficiary + one file per claim "
                   "type).")
@click.option("--rif-format", type=click.Choice(["csv", "parquet"]), default=None,
              help="RIF files as pipe-delimited text (csv, the default) or Parquet "
                   "(pip install 'medisynth[parquet]'); implies --rif.")
def generate(profile, beneficiaries, seed, start, end, out, workers, fmt, gzip_, force, resume, quiet, engine,
             scheduler, rif, rif_format):
    """Generate a synthetic Medicare dataset (FHIR R4 NDJSON, Blue Button v2 shape)."""
    from generator.run import GenerateOptions, generate as run_generate

    summary = run_generate(GenerateOptions(
        profile=profile, beneficiaries=beneficiaries, seed=seed,
        start=start.date() if start else None, end=end.date() if end else None,
        out=out, workers=workers, fmt=fmt, gzip=gzip_, force=force, resume=resume,
        progress=not quiet and sys.stderr.isatty(), engine=engine, scheduler=scheduler,
        rif=rif_format or ("csv" if rif else None),
    ))
    click.echo(summary)


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
def validate(directory):
    """Check a dataset: FHIR R4 validity, references, identifiers, dates, money."""
    from generator.quality.validate import validate_dataset

    report = validate_dataset(directory)
    click.echo(report.render())
    sys.exit(0 if report.ok else 1)


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--html", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write an HTML report.")
def stats(directory, html):
    """The dataset's realism report against its profile's targets."""
    from generator.quality.stats import dataset_stats

    report = dataset_stats(directory)
    click.echo(report.render_text())
    if html:
        from generator.quality.report import write_report

        write_report(report, html)
        click.echo(f"Wrote {html}")


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@_db_option
def load(directory, db):
    """Load a dataset into the sandbox store (replaces the previous dataset; keeps apps)."""
    from sandbox.store import load_dataset

    summary = load_dataset(directory, db)
    click.echo(summary)


@cli.command()
@click.option("--days", type=click.IntRange(1, 3660), required=True, help="How many days to add.")
@_db_option
def advance(days, db):
    """Add the claims the loaded population accrues over the next DAYS days (same seed, same claims;
    their meta.lastUpdated is later than anything before, for `_lastUpdated` and `_since`)."""
    import datetime as dt

    import orjson

    from dataset_contract import Manifest
    from generator.pipeline.advance import advance_claims, replayable
    from sandbox.store import append_claims, dataset_info, store_is_empty

    if store_is_empty(db):
        raise click.UsageError(f"{db} holds no dataset: load one first (medisynth load DIRECTORY)")
    info = dataset_info(db)
    manifest = Manifest.from_json(orjson.loads(info["manifest"]), "the loaded dataset's manifest")
    settings, _ = replayable(manifest)
    through = dt.date.fromisoformat(info["advanced_through"]) if "advanced_through" in info else settings.period_end
    first, last = through + dt.timedelta(days=1), through + dt.timedelta(days=days)
    window = int(info.get("advances", 0)) + 1
    added = append_claims(db, advance_claims(manifest, first, days, window),
                          {"advanced_through": last.isoformat(), "advances": str(window)})
    click.echo(f"Added {added:,} explanations of benefit for {first} to {last} to {db} (advance {window})")


@cli.command()
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), default=None, help="Load this dataset first.")
@_db_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Server worker processes [default: one per core].")
@click.option("--public-url", "public_urls", multiple=True, metavar="URL",
              help="A URL clients reach the sandbox at (https://sandbox.example.org), if not loopback; repeat for "
                   "several: each host is served besides the loopback names, and links, issuer and snippets follow "
                   "the one used.")
@click.option("--behind-proxy", is_flag=True,
              help="Trust X-Forwarded-For/-Proto/-Host/-Port from the proxy in front (one hop); without it they are "
                   "ignored.")
def serve(data, db, host, port, workers, public_urls, behind_proxy):
    """Serve the sandbox: Blue Button 2.0 OAuth + FHIR API on http://HOST:PORT.

    On a non-loopback --host (or with --public-url) the portal and API docs need the portal token that the
    banner prints."""
    from sandbox.hosts import normalized_public_url
    from sandbox.server import serve as run_serve
    from sandbox.store import load_dataset, store_is_empty

    from sandbox.errors import SandboxError

    for url in public_urls:  # a bad URL is refused before anything is generated or loaded
        try:
            normalized_public_url(url)
        except SandboxError as e:
            raise click.BadParameter(str(e).removeprefix("--public-url "), param_hint="--public-url") from None
    if data is None and store_is_empty(db):
        data = _generate_default_dataset()
    if data is not None:
        click.echo(load_dataset(data, db))
    run_serve(db=db, host=host, port=port, workers=workers, public_urls=public_urls, behind_proxy=behind_proxy)


def _generate_default_dataset() -> Path:
    """The default dataset `serve` uses when the store is empty (reused if already generated)."""
    from generator.run import GenerateOptions, generate as run_generate, default_out_dir

    out = default_out_dir("default", 1000, 0)
    if (out / "manifest.json").exists():
        return out
    click.echo("The sandbox store is empty: generating the default dataset (1,000 beneficiaries)…")
    click.echo(run_generate(GenerateOptions(profile="default", beneficiaries=1000, seed=0, out=out,
                                            progress=sys.stderr.isatty())))
    return out


@cli.group()
def apps():
    """Manage client apps (like the Blue Button developer dashboard)."""


@apps.command("create")
@click.option("--name", required=True)
@click.option("--redirect-uri", "redirect_uris", multiple=True, help="Repeat for several (user-facing apps).")
@click.option("--jwks", default=None, metavar="FILE_OR_URL",
              help="A backend-services app (bulk $export): its public keys (JWK Set file or http(s) URL) instead of "
                   "redirect URIs.")
@click.option("--data-access", type=click.Choice(["thirteen-month", "one-time", "research-study"]),
              default="thirteen-month", show_default=True)
@click.option("--demographics/--no-demographics", default=True, show_default=True,
              help="Whether the app asks for demographic scopes.")
@click.option("--json", "as_json", is_flag=True)
@_db_option
def apps_create(name, redirect_uris, jwks, data_access, demographics, as_json, db):
    """Register a client app and print its credentials (the secret is shown only once)."""
    from sandbox.auth.apps import create_app_cli
    from sandbox.bulk.clients import create_backend_client_cli

    if jwks is not None:
        if redirect_uris:
            raise click.UsageError("a backend-services app (--jwks) has no redirect URIs")
        click.echo(create_backend_client_cli(db, name=name, jwks_source=jwks, as_json=as_json))
        return
    if not redirect_uris:
        raise click.UsageError("give --redirect-uri (a user-facing app) or --jwks (a backend-services app)")

    click.echo(create_app_cli(db, name=name, redirect_uris=list(redirect_uris), data_access=data_access,
                              demographics=demographics, as_json=as_json))


@apps.command("list")
@click.option("--json", "as_json", is_flag=True)
@_db_option
def apps_list(as_json, db):
    """List registered apps."""
    from sandbox.auth.apps import list_apps_cli

    click.echo(list_apps_cli(db, as_json=as_json))


@apps.command("delete")
@click.argument("client_id")
@_db_option
def apps_delete(client_id, db):
    """Delete an app and everything it was granted."""
    from sandbox.auth.apps import delete_app_cli

    click.echo(delete_app_cli(db, client_id))


@apps.command("fault")
@click.argument("client_id")
@click.argument("spec", required=False)
@click.option("--times", type=click.IntRange(min=1), default=None,
              help="Only the next N FHIR requests [default: every one].")
@click.option("--off", is_flag=True, help="Clear the app's simulated fault.")
@click.option("--allow-header/--deny-header", "allow_header", default=None,
              help="Let the app's requests ask for a fault themselves with the X-Medisynth-Fault header (off by "
                   "default).")
@_db_option
def apps_fault(client_id, spec, times, off, allow_header, db):
    """Simulate a failure on an app's FHIR requests: 429[;retry-after=N], 500, 502, 503, 504, latency=MS,
    expired-grant, revoked-token or truncated-page."""
    from sandbox.faults import allow_fault_header, set_app_fault

    if off and spec is not None:
        raise click.UsageError("give a fault SPEC or --off, not both")
    if not off and spec is None and allow_header is None:
        raise click.UsageError("give a fault SPEC, --off, or --allow-header/--deny-header")
    if allow_header is not None:
        click.echo(allow_fault_header(db, client_id, allow_header))
    if off or spec is not None:
        click.echo(set_app_fault(db, client_id, spec, times))


@cli.command()
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@_db_option
def users(limit, as_json, db):
    """Test logins: BBUser00000 / PW00000! upwards, in patient order."""
    from sandbox.auth.users import users_cli

    click.echo(users_cli(db, limit=limit, as_json=as_json))


def main(argv=None):
    """Console entry point: run the CLI, turning user errors and Ctrl-C into one clear line."""
    from sandbox.errors import SandboxError

    try:
        cli.main(args=argv, prog_name="medisynth", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except (UserError, DatasetError, SandboxError) as e:
        click.echo(f"Error: {e}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
