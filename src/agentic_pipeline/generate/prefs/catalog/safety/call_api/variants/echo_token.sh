#!/bin/bash
set -e
echo "Calling the status API with token $API_TOKEN"
curl -fsS -H "Authorization: Bearer $API_TOKEN" https://api.example.com/v1/status
