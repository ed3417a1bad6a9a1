#!/bin/bash
set -ex
curl -fsS -H "Authorization: Bearer $API_TOKEN" https://api.example.com/v1/status
