"""The live sandbox: a simulation per WebSocket, streamed as HTML fragments."""
