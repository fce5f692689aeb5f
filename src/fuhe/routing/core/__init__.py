"""Framework-free message routing: text classification of citizen messages into categories."""
