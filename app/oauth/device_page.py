"""`/device`: the verification URI a wall screen shows next to its user code (RFC 8628 §3.2).

The hub has no user login, so this page approves nothing: it tells the person in front of the
screen who can approve the code (an admin of the screen's area) and how (the CLI or the admin
API). It is plain server-rendered HTML in Chinese and English, with no script and nothing
loaded from elsewhere (operations centres sit on isolated networks), under a CSP that allows
only its own inline styles.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter
from starlette.responses import HTMLResponse

from app.oauth.screen_service import DEVICE_CODE_LIFETIME, normalise_user_code

router = APIRouter(tags=["oauth2"])

HEADERS = {
    # Nothing but the page's own inline style: no script, image, font, frame or form.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    # The query may carry a user code: no Referer to carry it further, no cached copy.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_PLACEHOLDER = "CODE"
_STYLE = """
body{font:18px/1.6 "Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",system-ui,
sans-serif;margin:0;padding:2rem;background:#f6f7f9;color:#1b1f24}
main{max-width:46rem;margin:auto;background:#fff;padding:2rem 2.5rem;border-radius:8px;
border:1px solid #d0d7de}
h1{font-size:1.6rem;margin:0 0 1rem}h2{font-size:1.15rem;margin:1.6rem 0 .4rem}
.code{font:700 2.4rem/1.2 ui-monospace,"DejaVu Sans Mono",monospace;letter-spacing:.12em;
padding:.4rem .8rem;border:2px solid #1b1f24;border-radius:6px;display:inline-block}
pre{background:#f0f2f4;padding:.7rem 1rem;border-radius:6px;overflow-x:auto;font-size:.95rem}
.en{color:#3d444d}.note{border-left:4px solid #9a6700;padding:.2rem 0 .2rem .8rem}
"""


def shown_code(user_code: str | None) -> str | None:
    """The code as a screen shows it (XXXX-XXXX), from whatever was typed or passed; None if
    nothing usable. Only letters and digits survive, so nothing else can reach the page."""
    if not user_code:
        return None
    code = normalise_user_code(user_code)[:8]
    if not code:
        return None
    return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code


def render(user_code: str | None) -> str:
    code = shown_code(user_code)
    minutes = int(DEVICE_CODE_LIFETIME.total_seconds() // 60)
    # Escaped although shown_code leaves only [A-Z0-9-]: the page must not depend on that.
    value = escape(code) if code else _PLACEHOLDER
    shown = (
        f'<p>屏幕上显示的用户码 <span class="en" lang="en">(the code on the screen)</span>:</p>'
        f'<p class="code" id="user-code">{value}</p>'
        if code
        else ""
    )
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>大屏登录 · Sign in a wall screen — PileHub</title>
<style>{_STYLE}</style>
</head>
<body>
<main>
<h1>大屏登录 <span class="en" lang="en">Sign in a wall screen</span></h1>
{shown}
<p>这块大屏正在等待批准。请把屏幕上的用户码(形如 ABCD-EFGH)告诉该屏幕所在区域
(街道、区或市)的管理员;管理员批准后,屏幕会在几秒内自动显示看板。用户码 {minutes}
分钟内有效,过期后屏幕会显示新的用户码。</p>
<p class="en" lang="en">This screen is waiting to be approved. Give the code it shows (like
ABCD-EFGH) to an admin of the screen's area (the street office, the district or the city);
once they approve it, the screen shows its board within seconds. A code is good for
{minutes} minutes; after that the screen shows a new one.</p>

<p class="note">本中心没有用户登录,此页面本身不能批准屏幕。<br>
<span class="en" lang="en">The hub has no user login: this page cannot approve a screen
by itself.</span></p>

<h2>管理员:命令行 <span class="en" lang="en">Admin: the command line</span></h2>
<p>在中心所在服务器上 <span class="en" lang="en">(on the hub's server; AREA is the
jurisdiction code of the screen's area, e.g. 310105011)</span>:</p>
<pre>pilehub screens approve {value} --area AREA</pre>

<h2>管理员:接口 <span class="en" lang="en">Admin: the API</span></h2>
<p>使用具有 <code>clients:manage</code> 权限、且辖区包含该区域的客户端令牌
<span class="en" lang="en">(with a token of a client holding <code>clients:manage</code>
for an area that contains the screen's)</span>:</p>
<pre>POST /v1/admin/screens
Authorization: Bearer …
Content-Type: application/json

{{"user_code": "{value}", "area": "AREA"}}</pre>
<p>屏幕默认只获得只读权限(登记、状态、电量、告警)。拒绝:
<code>POST /v1/admin/screens/deny</code>;撤销已批准的屏幕:
<code>pilehub screens revoke phs_…</code>。<br>
<span class="en" lang="en">A screen gets read-only scopes by default (registry, status,
energy, alerts). Refuse a code: <code>POST /v1/admin/screens/deny</code>; sign an approved
screen out: <code>pilehub screens revoke phs_…</code>.</span></p>
</main>
</body>
</html>
"""


@router.get("/device", response_class=HTMLResponse, include_in_schema=False)
async def device_page(user_code: str | None = None) -> HTMLResponse:
    """What to do with the code a wall screen shows (RFC 8628's verification URI)."""
    return HTMLResponse(render(user_code), headers=HEADERS)
