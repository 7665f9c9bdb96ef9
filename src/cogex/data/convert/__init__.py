"""Convert Alpaca items into CoGEX instances with a teacher LLM, in three chained prompts.

For every item (instruction ``I``, input ``A``, output ``Y``) the teacher is asked, one stage at a
time across a batch of items:

1. **values** -- write ``A`` and ``Y`` as clean Python values (lists, dicts, numbers, clean
   strings); the reply is two lines ``INPUT = <literal>`` / ``OUTPUT = <literal>``;
2. **plan** -- a high-level plan of at most 3 general steps that would work on new inputs;
   the reply is a numbered list;
3. **program** -- a function carrying out the steps with ``# Step N:`` comments, returning a
   dict with ``'answer'`` and the intermediate values, free to call undefined helpers whose
   names say what they do, followed by ``>>> f(<the stage-1 input values>)`` and the dict the
   call returns.

Replies are parsed with :mod:`ast` only (:mod:`cogex.format`); nothing a teacher writes is ever
evaluated. Every instance is validated (:mod:`.validate`) and kept only when its
``'answer'`` matches ``Y`` after normalisation (:mod:`.answers`).

Conversion is resumable: kept instances (public CoGEX schema + ``id`` + ``source``) and rejects
(``id``, ``reason``, teacher replies) are appended to two JSONL files and flushed as soon as an
item is finished; a rerun skips every id found in either file.

The package: :mod:`.prompts` (the three prompts), :mod:`.replies` (reply parsers),
:mod:`.answers` (answer matching), :mod:`.validate` (the checks of a stage-3 reply),
:mod:`.store` (resumable JSONL output) and :mod:`.pipeline` (the stages as data, one loop).
"""

from cogex.data.convert.answers import answer_matches, normalise_answer, parse_number
from cogex.data.convert.limits import (
    MAX_ITEM_CHARS,
    MAX_KEPT_OUTPUT_CHARS,
    MAX_KEPT_PROGRAM_CHARS,
    MAX_PLAN_STEPS,
    DropReason,
)
from cogex.data.convert.pipeline import (
    STAGES,
    ConversionReport,
    ItemOutcome,
    Stage,
    TeacherUnavailable,
    convert,
)
from cogex.data.convert.prompts import plan_prompt, program_prompt, values_prompt
from cogex.data.convert.replies import normalise_program_reply, parse_plan, parse_values
from cogex.data.convert.store import finished_ids, rejects_path_for
from cogex.data.convert.validate import Verdict, validate_program

__all__ = [
    "MAX_ITEM_CHARS", "MAX_KEPT_OUTPUT_CHARS", "MAX_PLAN_STEPS", "MAX_KEPT_PROGRAM_CHARS", "STAGES", "ConversionReport",
    "DropReason", "ItemOutcome", "Stage", "TeacherUnavailable", "Verdict", "answer_matches", "convert", "finished_ids",
    "normalise_answer", "normalise_program_reply", "parse_number", "parse_plan", "parse_values", "plan_prompt",
    "program_prompt", "rejects_path_for", "validate_program", "values_prompt",
]
