"""Files in: bytes -> text (decode) -> table (dialect) -> our shape or a foreign one (formats, sdmx, xlsx) ->
mapped rows (mapping) -> validated, previewed and committed as one batch (pipeline).

    parsed = read_upload(data, "API_NY.GDP.MKTP.KD.ZG.csv")
    plan = plan_upload(store, parsed, Mapping(indicator="gdp_growth", entities=["SRB"]))
    plan.counts(), plan.problems          # preview: new / changed / unchanged / rejected, every problem
    commit_upload(store, plan, who="ana")  # one transaction, one undoable batch
"""

from indicators.ingest.errors import UploadError
from indicators.ingest.mapping import Mapping, split_codes
from indicators.ingest.pipeline import Plan, commit_upload, plan_upload, source_for_text
from indicators.ingest.reader import Options, Parsed, check_size, read_upload, sheet_names

__all__ = [
    "Mapping",
    "Options",
    "Parsed",
    "Plan",
    "UploadError",
    "check_size",
    "commit_upload",
    "plan_upload",
    "read_upload",
    "sheet_names",
    "source_for_text",
    "split_codes",
]
