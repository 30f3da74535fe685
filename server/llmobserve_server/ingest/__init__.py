"""Event ingestion: decoding, validation, costing and durable batch writes with rollups."""
