"""Background tasks of intake, run by `aftersales worker` on its schedule."""

from django_tasks import task


@task()
def code_requests_purge() -> dict:
    """The portal's one-time code requests and spent order locks older than a day, which
    no limit or lock reads any more, deleted (they hold hashes of phones and codes)."""
    from .identity import code_requests_purge as purge

    return {"deleted": purge()}
