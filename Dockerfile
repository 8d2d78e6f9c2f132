# Padu: the API server, built in a Swift image, run on a slim Debian with libpq.
FROM swift:6.3-bookworm AS build
RUN apt-get update -q && apt-get install -y -q --no-install-recommends libpq-dev pkg-config zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product padu --static-swift-stdlib \
    && mkdir /out && cp "$(swift build -c release --show-bin-path)/padu" /out/ \
    && cp -R "$(swift build -c release --show-bin-path)"/*.resources /out/

FROM debian:bookworm-slim
RUN apt-get update -q && apt-get install -y -q --no-install-recommends libpq5 zlib1g ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* && useradd --system --home /app padu
COPY --from=build /out /app
USER padu
WORKDIR /app
EXPOSE 8080
ENTRYPOINT ["/app/padu"]
CMD ["serve", "--listen", "0.0.0.0:8080"]
