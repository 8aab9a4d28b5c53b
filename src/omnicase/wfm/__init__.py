"""Workforce management: a pure numeric library (numpy/scipy), no database.

* :mod:`omnicase.wfm.erlang`: Erlang B, C and A (M/M/c+M), staffing searches;
* :mod:`omnicase.wfm.staffing`: agents per interval and channel (phone, chat, asynchronous),
  shrinkage, FTE per day and week;
* :mod:`omnicase.wfm.simulate`: seeded discrete-event simulation of the omnichannel centre.

Every entry point validates its inputs and raises :class:`WfmInputError` naming the field.
"""

from omnicase.wfm.errors import WfmInputError

__all__ = ["WfmInputError"]
