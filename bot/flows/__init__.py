"""The Slack-side use cases: plain async functions that take what they need (deps, a Web API
client, ids) and are shared by listeners and jobs. They call services and views; they never
import listeners."""
