"""Open the store the settings name, bring its schema up to date, and seed it on first use."""

from __future__ import annotations

from indicators.config import Settings, settings
from indicators.seed import apply_seed
from indicators.store import Store, StoreError


def open_store(config: Settings | None = None, *, busy_timeout: float = 10.0, idle_release: float = 1.0) -> Store:
    """The configured store, migrated and seeded. In read-only mode nothing is written: the store must
    already exist (run `python -m indicators init` before deploying read-only)."""
    config = config or settings()
    if config.read_only and not config.db_path.exists():
        # Opening it would create an empty file that a read-only dashboard could then never seed.
        raise StoreError(
            f"There is no store at {config.db_path} yet, and read-only mode (INDICATORS_READ_ONLY=1) "
            "does not create one. Run "
            "`python -m indicators init` once without INDICATORS_READ_ONLY (or point INDICATORS_DB at an "
            "existing store), then try again."
        )
    if not config.read_only:
        folder = config.db_path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(
                f"Cannot create the folder {folder} for the store {config.db_path}: "
                f"{error.strerror or error}. Point INDICATORS_DB at a file in a folder this program may write."
            ) from None
    store = Store(config.db_path, read_only=config.read_only, busy_timeout=busy_timeout, idle_release=idle_release)
    prepare(store)
    return store


def prepare(store: Store) -> Store:
    """Migrate and seed a store (a no-op when both are current); read-only stores are only checked."""
    if store.read_only:
        store.migrate()  # raises if the schema is missing or newer; never writes when nothing is pending
        return store
    store.migrate()
    apply_seed(store)
    return store
