"""T/CEC 102.4 return codes (`Ret`) and the one exception the codec raises.

Exception tree::

    Exception
     └── TcecError            .ret: Ret (what to answer the partner), .msg: safe text
           raised as Ret.BAD_ENVELOPE  4003  envelope shape (missing/empty/ill-formed fields)
                     Ret.BAD_SIGNATURE 4001  unknown partner or Sig mismatch
                     Ret.BAD_DATA      4004  Data does not decrypt/parse, or its business fields
                                             are invalid for the interface or the hub
                     Ret.BUSY          -1    the Seq counter ran out within one second

One class rather than a subclass per code: the receiver's only decision is which `Ret` to put in
the response, so callers match on `.ret`. `msg` goes back to the partner verbatim, so it is
built from field names and fixed phrases only, never from secrets, ciphertext or plaintext.
"""

from __future__ import annotations

from enum import IntEnum


class Ret(IntEnum):
    """返回参数编码 (S1 §6.4.2 table; same values in C2 HlhtRet, C1 ProtocolException, X8)."""

    BUSY = -1  # 系统繁忙，请求方稍后重试
    OK = 0  # 请求成功
    BAD_SIGNATURE = 4001  # 签名错误
    BAD_TOKEN = 4002  # Token错误 (callers refresh the token and retry)
    BAD_ENVELOPE = 4003  # POST参数不合法，缺少必须的 OperatorID/Sig/TimeStamp/Data/Seq
    BAD_DATA = 4004  # 请求的业务参数不合法
    SYSTEM_ERROR = 500  # 系统错误


class TcecError(Exception):
    """A protocol failure, carrying the `Ret` to answer with and a message safe to send."""

    ret: Ret
    msg: str

    def __init__(self, ret: Ret, msg: str) -> None:
        # args = (ret, msg) keeps the exception picklable with its real constructor.
        super().__init__(Ret(ret), msg)
        self.ret = Ret(ret)
        self.msg = msg

    def __str__(self) -> str:
        return f"[{int(self.ret)}] {self.msg}"
