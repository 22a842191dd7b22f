"""`pilehub simulate stategrid`: a standalone T/CEC 102 operator platform for the demo piles.

It plays State Grid (OperatorID MA002TMQX) so the hub can be demonstrated and tested end to
end without a real operator: it pushes connector status and charge orders to the hub and
answers the hub's pulls, over the same codec a real partner would be held to. It imports only
`app.core`, the codec (`app.tcec`) and the demo catalogue (`app.catalogue`): nothing of the
hub, which it reaches over HTTP like any operator.

    credentials.py  synthetic demo-only secrets for both directions, onboarding JSON
    tariff.py       time-of-use periods and prices; splitting a session into ChargeDetails
    behaviour.py    when cars arrive, how long they stay and charge, faults and blips; the
                    demo's live incidents (Liveliness)
    orders.py       finished sessions as charge orders (StartChargeSeq, details, money)
    fleet.py        the fleet on a simulated clock: backfill(), step(); pure, deterministic
    clock.py        the simulated clock (time compression, never ahead of the wall clock)
    ledger.py       everything sent or answered, append-only, with folds
    tokens.py       AccessTokens issued to the hub
    catalogue.py    the demo catalogue as StationInfo
    state.py        what the app and the pusher share
    app.py          the operator's FastAPI app: query_token and the three pulls
    pusher.py       pushes to the hub with TcecClient; a pending queue while the hub is down
    process.py      run_simulator(): the app under uvicorn plus the pusher loop

Entry point: `app.simulator.process.run_simulator`. Credentials for onboarding it:
`app.simulator.credentials.onboarding_document()`.
"""
